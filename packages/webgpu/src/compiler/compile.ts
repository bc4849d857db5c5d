import { valueRole, fail, hoistSequenceWork, leafName, partitionValues, partitionWork, planMemory, programInterface, simplify, sinkIntoSegmentScans, sizeOf, spikeInputNodes, stateUpdateCopies, type AnyNode, type Graph, type Node, type NodeId, type Partition, type TensorType } from '@spikeflow/core';
import { elementwiseKernel } from '../codegen/elementwise.js';
import { isKernelOp, type KernelOp } from '../codegen/wgsl-rules.js';
import { packedWords } from '../spike-packing/bit-layout.js';
import { packStep } from '../spike-packing/pack-step.js';
import { savedSpikeTrains, withAliases } from '../spike-packing/saved-spike-trains.js';
import { elementwiseInPlaceLoad } from './elementwise-in-place.js';
import { kernelLowerings } from './kernel-lowerings.js';
import { matmulEpilogues } from './matmul-epilogues.js';
import { lowerMatmul } from './matmul-steps.js';
import { addValue, bindingOf, producedValueId, type CompileLimits, type KernelContext, type Lowering, type NodeOf } from './lowering.js';
import type { KernelStep, Program, Step } from './program.js';
import { scanSteps } from './scan.js';
import { wgslPartition } from './wgsl-partition.js';

export { compileLimitsOf, type CompileLimits } from './lowering.js';

/** Registers a buffer for every materialized node of a partition (aliases resolve to their source). */
function registerValues(low: Lowering, part: Partition, outputs: ReadonlySet<NodeId>): void {
  for (const { id, node, type, role, extra } of partitionValues(low.graph, part, outputs)) {
    if (!low.packed.has(id)) {
      addValue(low, low.valueId(id), type, role, node.name, extra);
      continue;
    }
    // The producer writes the plain buffer, short-lived; the packed one is what readers keep.
    // (A spike input arrives packed from the host.)
    if (node.op !== 'input') addValue(low, producedValueId(low, id), type, 'temp', node.name);
    addValue(low, low.valueId(id), type, role, node.name, { ...extra, packed: true, bytes: 4 * packedWords(sizeOf(type.shape)) });
  }
}

/** Whether a node's primitive has dispatches of its own (its WGSL rule is `kernel`). */
function isKernelNode(node: AnyNode): node is NodeOf<KernelOp> {
  return isKernelOp(node.op);
}

/** The dispatches of a kernel primitive's node, by its entry in `kernelLowerings`. */
function lowerKernel<P extends KernelOp>(ctx: KernelContext<P>): KernelStep[] {
  const lower = kernelLowerings[ctx.node.op];
  return lower(ctx);
}

/** The steps that compute every materialized node of a partitioned graph, in order. */
export function kernelSteps(low: Lowering, part: Partition): Step[] {
  const { graph } = low;
  const steps: Step[] = [];
  const arg = (id: NodeId) => low.valueId(part.aliases.get(id) ?? id);
  const works = partitionWork(graph, part);
  // Matmuls computed in the stores of the elementwise group that reads them: lowered there.
  const epilogues = matmulEpilogues(low, part, works);
  const deferred = new Set([...epilogues.values()].map((w) => w.id));
  for (const work of works) {
    if (work.kind === 'scan') {
      steps.push(...scanSteps(low, work.node, part)); // with the packing of its outputs stored as bits
      continue;
    }
    const { id, node, members, loads } = work;
    if (deferred.has(id)) continue;
    const out = bindingOf(low, id, 'out', 'read_write');
    const product = epilogues.get(id);
    const packed = new Set(loads.filter((l) => low.packed.has(l)));
    if (product !== undefined) {
      const matmul = product.node as Node<'matmul'>;
      const epilogue = { graph, root: id, members, loads, product: product.id, stepStrides: low.stepStrides, packed };
      steps.push(...lowerMatmul({ low, node: matmul, members: product.members, loads: product.loads, arg, out }, epilogue));
      low.values.delete(low.valueId(product.id)); // never written: the group reads it from registers
    } else if (isKernelNode(node)) steps.push(...lowerKernel({ low, node, members, loads, arg, out }));
    else {
      // A fused elementwise group, its loads bound in order (one it overwrites in place is read through its output).
      const overwritten = elementwiseInPlaceLoad(low, part, id, members, loads);
      const source = elementwiseKernel(graph, id, members, loads, low.stepStrides, packed, overwritten === undefined ? undefined : loads[overwritten]);
      const bound = loads.filter((_, k) => k !== overwritten);
      steps.push({ kind: 'kernel', source, args: [...bound.map(arg), producedValueId(low, id)], nodes: members.length > 0 ? members : [id] });
    }
    if (low.packed.has(id)) steps.push(packStep(low, id)); // a spike train, or a max of spikes
  }
  return steps;
}

/** Registers the buffers of a partitioned scan body and returns its steps (see `Lowering.lowerBody`). */
function lowerBody(body: Lowering, part: Partition): Step[] {
  registerValues(body, part, new Set());
  return kernelSteps(body, part);
}

/** Code-generation choices of compileProgram (the defaults are the lean, fast ones). */
export interface ProgramOptions {
  /**
   * Store saved spike trains as bits, 32 per u32 (see `savedSpikeTrains`); default true. Results
   * are bit-identical either way; off, they stay float32 (to measure what packing saves).
   */
  readonly packSpikes?: boolean;
  /**
   * Names of inputs that hold spike trains (only 0 and 1, in any dtype). Where every reader can
   * unpack it, such an input is stored as bits (the host packs it at each feed and rejects a feed
   * holding another value) and matmuls skip its zeros; otherwise it is an ordinary input.
   */
  readonly spikeInputs?: readonly string[];
  /**
   * Let a matmul whose left operand is a packed spike train visit only its spikes, where that
   * measured faster (see lowerMatmul); default true. Off, every matmul uses the dense kernels.
   * A skipped entry is never multiplied, so an infinite right operand facing a 0 spike gives no
   * NaN there (the dense kernels, like the CPU interpreter, would give 0 · ∞ = NaN).
   */
  readonly skipSpikeZeros?: boolean;
}

/** Compiles a graph to a Program: simplify, hoist sequence work out of scans and sink whole-sequence matmuls into segment scans, partition (fuse), schedule, generate WGSL, plan memory. */
export function compileProgram(input: Graph, deviceLimits: CompileLimits, options: ProgramOptions = {}): Program {
  // Every kernel may bind its size table (see KernelSizes): one storage binding fewer for tensors.
  const limits = { ...deviceLimits, maxStorageBuffersPerShaderStage: deviceLimits.maxStorageBuffersPerShaderStage - 1 };
  const graph = sinkIntoSegmentScans(hoistSequenceWork(simplify(input)));
  const part = wgslPartition(graph, limits.maxStorageBuffersPerShaderStage);
  const saved = savedSpikeTrains(graph, part, limits.maxStorageBuffersPerShaderStage, spikeInputNodes(graph, options.spikeInputs ?? []));
  const packed = options.packSpikes === false ? new Set<NodeId>() : withAliases(saved, part);
  const low: Lowering = { graph, limits, values: new Map(), valueId: (id) => id, stepStrides: new Map(), inLoop: false, packed, inPlace: new Map(), skipSpikeZeros: options.skipSpikeZeros !== false, lowerBody };
  const resolve = (id: NodeId) => part.aliases.get(id) ?? id;
  registerValues(low, part, new Set(graph.outputs.map((o) => resolve(o.node))));
  // Interface leaves nothing reads still get a buffer, so feeding them works.
  for (const id of [...graph.inputs, ...graph.params, ...graph.state.map((s) => s.node)]) {
    const node = graph.nodes[id]!;
    const type = node.type as TensorType;
    const packedInput = low.packed.has(id) ? { packed: true, bytes: 4 * packedWords(sizeOf(type.shape)) } : {};
    addValue(low, id, type, valueRole(graph, id, new Set()), node.name, { name: leafName(node), ...packedInput });
  }
  const steps = [...kernelSteps(low, part), ...stateUpdateCopies(graph, resolve, (id) => low.values.get(id)!.bytes)];
  const { slots, slotBytes, memory: plan } = planMemory(low.values, steps, low.inPlace);
  const memory = { ...plan, savedSpikeBytes: [...saved].reduce((sum, id) => sum + low.values.get(id)!.bytes, 0) };
  return { values: low.values, slots, slotBytes, steps, ...programInterface(graph, resolve), memory };
}
