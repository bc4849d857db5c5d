import type { Initializer, NodeId, TensorType, ValueRole } from '@spikeflow/core';
import type { KernelSource } from '../codegen/kernel-source.js';

/** Why a buffer exists; all but `temp` live for the executable's lifetime. */
export type BufferRole = ValueRole;

/** A value the program keeps in a GPU buffer. */
export interface ProgramValue {
  readonly id: NodeId;
  readonly type: TensorType;
  readonly bytes: number;
  readonly role: BufferRole;
  /** Interface name (inputs, params, state, outputs). */
  readonly name?: string;
  /** For constants: the literal to upload (one number fills). */
  readonly constant?: number | readonly number[];
  /** Whether it holds a spike train packed 32 elements per u32 word. */
  readonly packed?: boolean;
}

/** One dispatch: a generated kernel and, per binding, the value it binds. */
export interface KernelStep {
  readonly kind: 'kernel';
  readonly source: KernelSource;
  readonly args: readonly NodeId[];
  /** Graph nodes this kernel computes (for statistics). */
  readonly nodes: readonly NodeId[];
}

/** A buffer-to-buffer copy (state updates, scan carries). */
export interface CopyStep {
  readonly kind: 'copy';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly bytes: number;
}

/** Steps repeated once per scan step t in `times`, with the step uniform set to t. */
export interface LoopStep {
  readonly kind: 'loop';
  readonly times: readonly number[];
  readonly body: readonly Step[];
  readonly label: string;
}

export type Step = KernelStep | CopyStep | LoopStep;

/** The compiled form of a graph, before GPU objects exist: values, buffer plan and steps. */
export interface Program {
  readonly values: ReadonlyMap<NodeId, ProgramValue>;
  /** Value -> buffer slot; values with disjoint lifetimes share a slot. */
  readonly slots: ReadonlyMap<NodeId, number>;
  readonly slotBytes: readonly number[];
  readonly steps: readonly Step[];
  readonly inputs: readonly { readonly name: string; readonly value: NodeId }[];
  readonly params: readonly { readonly name: string; readonly value: NodeId }[];
  readonly state: readonly { readonly name: string; readonly value: NodeId; readonly update: NodeId; readonly init: Initializer }[];
  readonly outputs: readonly { readonly name: string; readonly value: NodeId }[];
  readonly memory: MemoryStats;
}

export interface MemoryStats {
  /** Bytes of all buffers the plan allocates (resident plus shared temporaries). */
  readonly plannedPeakBytes: number;
  /** Bytes if every materialized value had a buffer of its own. */
  readonly unsharedBytes: number;
  readonly residentBytes: number;
  /**
   * Bytes of the spike trains kept across other work (in a gradient graph, the forward's spikes
   * the backward reads), as stored: packed when spike packing is on, float32 when it is off.
   */
  readonly savedSpikeBytes: number;
}
