import { fail, formatType, sizeOf, type Graph, type Node, type NodeId, type Partition, type TensorType } from '@spikeflow/core';
import type { BufferBinding } from '../codegen/kernel-source.js';
import type { KernelOp } from '../codegen/wgsl-rules.js';
import type { BufferRole, KernelStep, ProgramValue, Step } from './program.js';

/** The device limits the compiler must respect; checked before anything is dispatched. */
export interface CompileLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
  /**
   * The device's subgroup width where it is verified (runtime/subgroup-width.ts): kernels may then
   * share loads across a subgroup (codegen/subgroup-loads.ts). Absent: no subgroup operations.
   */
  readonly subgroupSize?: number;
}

/** The compile limits of a device (anything with WebGPU's `limits`), with its verified subgroup width if any. */
export function compileLimitsOf(limits: GPUSupportedLimits, subgroupSize?: number): CompileLimits {
  return {
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    ...(subgroupSize === undefined ? {} : { subgroupSize }),
  };
}

/**
 * State shared while lowering a graph (and, recursively, scan bodies run step by step) to steps:
 * program values live in one namespace, so a body's node ids are prefixed with its scan's.
 */
export interface Lowering {
  readonly graph: Graph;
  readonly limits: CompileLimits;
  readonly values: Map<NodeId, ProgramValue>;
  /** Program value id of a node of `graph`. */
  readonly valueId: (id: NodeId) => NodeId;
  /** Per-step element stride of nodes that are slices of a larger buffer (inside a step loop). */
  readonly stepStrides: ReadonlyMap<NodeId, number>;
  /** Whether these steps repeat inside a step loop (the step uniform is taken). */
  readonly inLoop: boolean;
  /**
   * Nodes of `graph` stored as bit-packed spike trains (reshape aliases of one included): their
   * producers write a plain buffer (`producedValueId`) that a pack step turns into the packed one.
   */
  readonly packed: ReadonlySet<NodeId>;
  /**
   * Values a kernel writes into the buffer of a value it reads for the last time (element i read
   * only to write element i; see `inPlaceOutputs` for one-kernel scans and `elementwiseInPlaceLoad`
   * for fused elementwise kernels): written value -> overwritten value, for the memory plan, which
   * gives both one buffer.
   */
  readonly inPlace: Map<NodeId, NodeId>;
  /** Whether a matmul whose left operand is packed may skip its zeros (see lowerMatmul). */
  readonly skipSpikeZeros?: boolean;
  /**
   * Lowers a partitioned scan body with the compiler that lowers this graph: registers its
   * buffers and returns its steps. Passed in, so the scan lowering imports nothing above it.
   */
  readonly lowerBody: (body: Lowering, part: Partition) => Step[];
}

/** A node applying one of the primitives `P` (a union of nodes, which its `op` narrows). */
export type NodeOf<P extends KernelOp> = { [Q in P]: Node<Q> }[P];

/** What a kernel primitive's lowering gets: one materialized node and the kernel around it. */
export interface KernelContext<P extends KernelOp> {
  readonly low: Lowering;
  readonly node: NodeOf<P>;
  /** Fusible nodes computed inside the kernel (a reduction's prologue), in order; often none. */
  readonly members: readonly NodeId[];
  /** The buffers the kernel reads (the members' loads, or the node's own inputs), in order. */
  readonly loads: readonly NodeId[];
  /** The program value bound for a node of the graph (a reshape alias reads its source). */
  readonly arg: (id: NodeId) => NodeId;
  /** The binding the node's result is written through. */
  readonly out: BufferBinding;
}

/** How a kernel primitive becomes dispatches. */
export type KernelLowering<P extends KernelOp> = (ctx: KernelContext<P>) => KernelStep[];

export function bytesOf(type: TensorType): number {
  return Math.max(4, sizeOf(type.shape) * 4);
}

/** Checks a value against the device's largest storage binding, naming its node. */
export function checkBindingSize(where: string, type: TensorType, limits: CompileLimits): void {
  const bytes = bytesOf(type);
  if (bytes > limits.maxStorageBufferBindingSize) {
    fail('device', where, `${formatType(type)} needs a ${bytes}-byte buffer, more than this device binds`, `<= ${limits.maxStorageBufferBindingSize} bytes`, `${bytes} bytes`);
  }
}

/** Registers a program value (a buffer) for a tensor, after checking it fits the device. */
export function addValue(low: Lowering, id: NodeId, type: TensorType, role: BufferRole, where: string, extra: Partial<ProgramValue> = {}): void {
  checkBindingSize(where, type, low.limits);
  if (!low.values.has(id)) low.values.set(id, { id, type, bytes: bytesOf(type), role, ...extra });
}

/** Binding of node `id` of the lowering's graph under a generated name. */
export function bindingOf(low: Lowering, id: NodeId, name: string, access: BufferBinding['access']): BufferBinding {
  const packed = access === 'read' && low.packed.has(id);
  return { name, access, type: low.graph.nodes[id]!.type as TensorType, stepStride: low.stepStrides.get(id) ?? 0, ...(packed ? { packed } : {}) };
}

/** The program value a node's producer writes: its own buffer, or the plain one a packed value is packed from. */
export function producedValueId(low: Lowering, id: NodeId): NodeId {
  return low.packed.has(id) ? `${low.valueId(id)}/dense` : low.valueId(id);
}
