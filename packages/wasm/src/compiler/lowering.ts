import { sizeOf, type Graph, type Node, type NodeId, type Partition, type TensorType } from '@spikeflow/core';
import type { AddressOf } from '../codegen/fused-values.js';
import type { WasmKernelOp } from '../codegen/wasm-rules.js';
import { i32, type Expr } from '../module-builder/index.js';
import type { KernelEmit, KernelStep, ProgramValue, Step, ValueRole } from './program.js';

/**
 * State shared while lowering a graph (and, recursively, scan bodies run step by step) to steps:
 * program values live in one namespace, so a body's node ids are prefixed with its scan's.
 */
export interface Lowering {
  readonly graph: Graph;
  readonly values: Map<NodeId, ProgramValue>;
  /** Program value id of a node of `graph`. */
  readonly valueId: (id: NodeId) => NodeId;
  /** Per-step element stride of nodes that are slices of a larger value (inside a step loop). */
  readonly stepStrides: ReadonlyMap<NodeId, number>;
  /** Reshapes sharing their source's memory: alias -> source (of `graph`). */
  readonly aliases: ReadonlyMap<NodeId, NodeId>;
  /** Threads the kernels are split over (sizes per-thread scratch). */
  readonly threads: number;
  /** Whether a matmul whose left operand holds only 0 and 1 skips its zeros (see lowerMatmul). */
  readonly skipSpikeZeros: boolean;
  /** Largest copy of S transposed a spike product Sᵀ·B makes for the one-row walk (see spikeMatmulSteps). */
  readonly spikeTransposeMaxBytes: number;
  /**
   * Lowers a partitioned scan body with the compiler that lowers this graph: registers its
   * values and returns its steps. Passed in, so the scan lowering imports nothing above it.
   */
  readonly lowerBody: (body: Lowering, part: Partition) => Step[];
}

/** A node applying one of the primitives `P` (a union of nodes, which its `op` narrows). */
export type NodeOf<P extends WasmKernelOp> = { [Q in P]: Node<Q> }[P];

/** What a kernel primitive's lowering gets: one materialized node and the values around it. */
export interface KernelContext<P extends WasmKernelOp> {
  readonly low: Lowering;
  readonly node: NodeOf<P>;
  /** Fusible nodes computed inside the kernel (a reduction's prologue), in order; often none. */
  readonly members: readonly NodeId[];
  /** The materialized values the kernel reads (graph node ids), in order. */
  readonly loads: readonly NodeId[];
  /** The program value a node's result is written to. */
  readonly out: NodeId;
}

/** How a kernel primitive becomes kernels. */
export type KernelLowering<P extends WasmKernelOp> = (ctx: KernelContext<P>) => KernelStep[];

export function bytesOf(type: TensorType): number {
  return Math.max(4, sizeOf(type.shape) * 4);
}

/** Registers a program value for a tensor (once). */
export function addValue(low: Lowering, id: NodeId, type: TensorType, role: ValueRole, extra: Partial<ProgramValue> = {}): void {
  if (!low.values.has(id)) low.values.set(id, { id, type, bytes: bytesOf(type), role, ...extra });
}

/** Registers per-thread scratch memory of a kernel as a temporary (`bytes` for each thread). */
export function addScratch(low: Lowering, id: NodeId, bytesPerThread: number): void {
  const floats = Math.max(1, Math.ceil((bytesPerThread * low.threads) / 4));
  addValue(low, id, { shape: [floats], dtype: 'f32' }, 'temp');
}

/** The program value a node of the lowering's graph reads (a reshape alias reads its source). */
export function argOf(low: Lowering, id: NodeId): NodeId {
  return low.valueId(low.aliases.get(id) ?? id);
}

/**
 * The byte address of element 0 of node `id` of the lowering's graph in a kernel being emitted:
 * a constant, or inside a step loop base + step · stride for a per-step slice.
 */
export function addressIn(low: Lowering, e: KernelEmit): AddressOf {
  return (id: NodeId): Expr<'i32'> => {
    const base = i32.const(e.offsetOf(argOf(low, id)));
    const stride = low.stepStrides.get(id) ?? low.stepStrides.get(low.aliases.get(id) ?? id) ?? 0;
    return stride === 0 ? base : i32.add(base, i32.mul(e.step, i32.const(4 * stride)));
  };
}
