import { valueRole, hoistSequenceWork, leafName, partitionValues, partitionWork, planMemory, programInterface, simplify, sizeOf, stateUpdateCopies, type AnyNode, type Graph, type NodeId, type Partition, type TensorType } from '@spikeflow/core';
import { elementwiseStatements } from '../codegen/fused-values.js';
import { isWasmKernelOp, type WasmKernelOp } from '../codegen/wasm-rules.js';
import { kernelLowerings } from './kernel-lowerings.js';
import { addressIn, addValue, argOf, type KernelContext, type Lowering, type NodeOf } from './lowering.js';
import { SPIKE_TRANSPOSE_MAX_BYTES } from './matmul-steps.js';
import type { KernelStep, Program, Step } from './program.js';
import { scanSteps } from './scan.js';
import { wasmPartition } from './wasm-partition.js';

/** Values start on a 16-byte boundary (a v128), and address 0 is never used. */
const ALIGN = 16;

/** Registers a value for every materialized node of a partition (aliases resolve to their source). */
function registerValues(low: Lowering, part: Partition, outputs: ReadonlySet<NodeId>): void {
  for (const { id, type, role, extra } of partitionValues(low.graph, part, outputs)) addValue(low, low.valueId(id), type, role, extra);
}

/** Whether a node's primitive has kernels of its own (its WASM rule is `kernel`). */
function isKernelNode(node: AnyNode): node is NodeOf<WasmKernelOp> {
  return isWasmKernelOp(node.op);
}

/** The kernels of a kernel primitive's node, by its entry in `kernelLowerings`. */
function lowerKernel<P extends WasmKernelOp>(ctx: KernelContext<P>): KernelStep[] {
  const lower = kernelLowerings[ctx.node.op];
  return lower(ctx);
}

/** The steps that compute every materialized node of a partitioned graph, in order. */
export function kernelSteps(low: Lowering, part: Partition): Step[] {
  const { graph } = low;
  const steps: Step[] = [];
  for (const work of partitionWork(graph, part)) {
    if (work.kind === 'scan') {
      steps.push(...scanSteps(low, work.node, part));
      continue;
    }
    const { id, node, members, loads } = work;
    const out = low.valueId(id);
    if (isKernelNode(node)) steps.push(...lowerKernel({ low, node, members, loads, out }));
    else {
      // A fused elementwise group: one kernel over the root's elements, SIMD where it allows.
      const group = { graph, members };
      steps.push({
        kind: 'kernel',
        label: node.name,
        args: [...loads.map((l) => argOf(low, l)), out],
        items: sizeOf((node.type as TensorType).shape),
        granule: 4,
        itemCost: Math.max(1, members.length),
        emit: (e) => elementwiseStatements(e.fn, group, id, addressIn(low, e), e.lib, e.lo, e.hi),
      });
    }
  }
  return steps;
}

/** Registers the values of a partitioned scan body and returns its steps (see `Lowering.lowerBody`). */
function lowerBody(body: Lowering, part: Partition): Step[] {
  registerValues(body, part, new Set());
  return kernelSteps(body, part);
}

export interface WasmProgramOptions {
  /** Threads the kernels will be split over (sizes per-thread scratch); default 1. */
  readonly threads?: number;
  /**
   * Let a matmul whose left operand can only hold 0 and 1 (spikes: see isBinary) visit only its
   * non-zeros (default true). Results are bit for bit those of the dense kernels, except that a
   * skipped zero facing an infinite right operand gives no NaN there.
   */
  readonly skipSpikeZeros?: boolean;
  /**
   * Largest scratch copy of S transposed a spike product Sᵀ·B makes so that the faster one-row walk
   * runs (default SPIKE_TRANSPOSE_MAX_BYTES, 64 MiB); past it the column walk reads S as stored.
   */
  readonly spikeTransposeMaxBytes?: number;
}

/** Byte offsets of the plan's slots, each on a 16-byte boundary, and the memory they need. */
function layOut(slotBytes: readonly number[]): { starts: number[]; end: number } {
  let end = ALIGN;
  const starts = slotBytes.map((bytes) => {
    const start = end;
    end += Math.ceil(bytes / ALIGN) * ALIGN;
    return start;
  });
  return { starts, end };
}

/** Compiles a graph to a Program: simplify, hoist sequence work out of scans, partition (fuse), lower to kernels, plan memory. */
export function compileWasmProgram(input: Graph, options: WasmProgramOptions = {}): Program {
  const threads = options.threads ?? 1;
  const graph = hoistSequenceWork(simplify(input));
  const part = wasmPartition(graph);
  const low: Lowering = { graph, values: new Map(), valueId: (id) => id, stepStrides: new Map(), aliases: part.aliases, threads, skipSpikeZeros: options.skipSpikeZeros !== false, spikeTransposeMaxBytes: options.spikeTransposeMaxBytes ?? SPIKE_TRANSPOSE_MAX_BYTES, lowerBody };
  const resolve = (id: NodeId) => part.aliases.get(id) ?? id;
  registerValues(low, part, new Set(graph.outputs.map((o) => resolve(o.node))));
  // Interface leaves nothing reads still get memory, so feeding them works.
  for (const id of [...graph.inputs, ...graph.params, ...graph.state.map((s) => s.node)]) {
    const node = graph.nodes[id]!;
    addValue(low, id, node.type as TensorType, valueRole(graph, id, new Set()), { name: leafName(node) });
  }
  const steps = [...kernelSteps(low, part), ...stateUpdateCopies(graph, resolve, (id) => low.values.get(id)!.bytes)];
  const { slots, slotBytes, memory } = planMemory(low.values, steps);
  const { starts, end } = layOut(slotBytes);
  const offsets = new Map([...slots].map(([id, slot]) => [id, starts[slot]!]));
  return { values: low.values, offsets, memoryBytes: end, steps, ...programInterface(graph, resolve), memory, threads };
}
