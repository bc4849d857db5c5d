import type { CopyStep, LoopStep as StepLoop, NodeId, ProgramInterface, ProgramValue as StoredValue, ValueRole } from '@spikeflow/core';
import type { KernelSource } from '../codegen/kernel-source.js';

/** Why a buffer exists; all but `temp` live for the executable's lifetime. */
export type BufferRole = ValueRole;

/** A value the program keeps in a GPU buffer. */
export interface ProgramValue extends StoredValue {
  /** Whether it holds a spike train packed 32 elements per u32 word (then `bytes` counts the words). */
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

/** Whole-value copies (state updates, scan carries) and loops over a scan's steps (the step uniform set to t), as core lowers scans. */
export type { CopyStep };
export type LoopStep = StepLoop<Step>;

export type Step = KernelStep | CopyStep | LoopStep;

/** The compiled form of a graph, before GPU objects exist: values, buffer plan and steps. */
export interface Program extends ProgramInterface {
  readonly values: ReadonlyMap<NodeId, ProgramValue>;
  /** Value -> buffer slot; values with disjoint lifetimes share a slot. */
  readonly slots: ReadonlyMap<NodeId, number>;
  readonly slotBytes: readonly number[];
  readonly steps: readonly Step[];
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
