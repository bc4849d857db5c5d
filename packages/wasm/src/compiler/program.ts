import type { CopyStep, LoopStep as StepLoop, NodeId, ProgramInterface, ProgramValue, ValueRole } from '@spikeflow/core';
import type { KernelLibrary } from '../codegen/kernel-library.js';
import type { Expr, LocalAllocator, Stmt } from '../module-builder/index.js';

/** Why a value exists (core's memory plan): all but `temp` live for the executable's lifetime at an address of their own. */
export type { ValueRole };

/** A value the program keeps in the shared memory: 4 bytes an element, row-major (core's). */
export type { ProgramValue };

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

/** Whole-value copies (state updates, scan carries) and loops over a scan's steps (each kernel called with step = t), as core lowers scans. */
export type { CopyStep };
export type LoopStep = StepLoop<Step>;

export type Step = KernelStep | CopyStep | LoopStep;

export interface MemoryStats {
  /** Bytes the plan lays out (resident values plus shared temporaries). */
  readonly plannedPeakBytes: number;
  /** Bytes if every value had memory of its own. */
  readonly unsharedBytes: number;
  readonly residentBytes: number;
}

/** The compiled form of a graph: values at fixed byte offsets, and the steps that compute them. */
export interface Program extends ProgramInterface {
  readonly values: ReadonlyMap<NodeId, ProgramValue>;
  /** Byte offset of every value (values with disjoint lifetimes share memory). */
  readonly offsets: ReadonlyMap<NodeId, number>;
  /** Bytes of memory the program needs, from address 0. */
  readonly memoryBytes: number;
  readonly steps: readonly Step[];
  readonly memory: MemoryStats;
  /** Threads the kernels were planned for (scratch per thread). */
  readonly threads: number;
}
