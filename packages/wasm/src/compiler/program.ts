import type { Initializer, NodeId, TensorType, ValueRole } from '@spikeflow/core';
import type { KernelLibrary } from '../codegen/kernel-library.js';
import type { Expr, LocalAllocator, Stmt } from '../module-builder/index.js';

/** Why a value exists (core's memory plan): all but `temp` live for the executable's lifetime at an address of their own. */
export type { ValueRole };

/** A value the program keeps in the shared memory: 4 bytes an element, row-major. */
export interface ProgramValue {
  readonly id: NodeId;
  readonly type: TensorType;
  readonly bytes: number;
  readonly role: ValueRole;
  /** Interface name (inputs, params, state, outputs). */
  readonly name?: string;
  /** For constants: the literal to write once (one number fills). */
  readonly constant?: number | readonly number[];
}

/** What a kernel's body is generated with, once the memory plan has fixed every address. */
export interface KernelEmit {
  readonly fn: LocalAllocator;
  readonly lib: KernelLibrary;
  /** The work items [lo, hi) this call computes. */
  readonly lo: Expr<'i32'>;
  readonly hi: Expr<'i32'>;
  /** The current scan step inside a step loop (0 outside). */
  readonly step: Expr<'i32'>;
  /** Byte offset of element 0 of a program value. */
  readonly offsetOf: (value: NodeId) => number;
  /** Threads the kernel is split over (for per-thread scratch). */
  readonly threads: number;
}

/**
 * One kernel: a function `(lo, hi, step)` of the program's module computing work items [lo, hi)
 * of `items`; the runtime splits the items over the threads in multiples of `granule`.
 */
export interface KernelStep {
  readonly kind: 'kernel';
  readonly label: string;
  /** Every program value the kernel reads or writes (for the memory plan's lifetimes). */
  readonly args: readonly NodeId[];
  readonly items: number;
  readonly granule: number;
  /** Rough cost of one work item in element operations, to keep small kernels on one thread. */
  readonly itemCost: number;
  /** The function body; called once, when the module is built. */
  readonly emit: (e: KernelEmit) => Stmt[];
}

/** A value-to-value copy of whole values (state updates, scan carries). */
export interface CopyStep {
  readonly kind: 'copy';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly bytes: number;
}

/** Steps repeated once per scan step t in `times`, each kernel called with step = t. */
export interface LoopStep {
  readonly kind: 'loop';
  readonly times: readonly number[];
  readonly body: readonly Step[];
  readonly label: string;
}

export type Step = KernelStep | CopyStep | LoopStep;

export interface MemoryStats {
  /** Bytes the plan lays out (resident values plus shared temporaries). */
  readonly plannedPeakBytes: number;
  /** Bytes if every value had memory of its own. */
  readonly unsharedBytes: number;
  readonly residentBytes: number;
}

/** The compiled form of a graph: values at fixed byte offsets, and the steps that compute them. */
export interface Program {
  readonly values: ReadonlyMap<NodeId, ProgramValue>;
  /** Byte offset of every value (values with disjoint lifetimes share memory). */
  readonly offsets: ReadonlyMap<NodeId, number>;
  /** Bytes of memory the program needs, from address 0. */
  readonly memoryBytes: number;
  readonly steps: readonly Step[];
  readonly inputs: readonly { readonly name: string; readonly value: NodeId }[];
  readonly params: readonly { readonly name: string; readonly value: NodeId }[];
  readonly state: readonly { readonly name: string; readonly value: NodeId; readonly update: NodeId; readonly init: Initializer }[];
  readonly outputs: readonly { readonly name: string; readonly value: NodeId }[];
  readonly memory: MemoryStats;
  /** Threads the kernels were planned for (scratch per thread). */
  readonly threads: number;
}
