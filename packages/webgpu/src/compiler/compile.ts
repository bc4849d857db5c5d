import { fail, sizeOf, type Graph, type NodeId, type PrimitiveAttrs, type TensorType } from '@spikeflow/core';
import { convKernel } from '../codegen/conv.js';
import { elementwiseKernel } from '../codegen/elementwise.js';
import type { ReduceArgs } from '../codegen/reduce.js';
import { packedWords, spikePackKernel } from '../codegen/spike-pack.js';
import { valueFunctions } from '../codegen/value-functions.js';
import { addValue, bindingOf, producedValueId, type CompileLimits, type Lowering } from './lowering.js';
import { matmulSteps } from './matmul-steps.js';
import { planMemory } from './memory.js';
import { reduceSteps } from './reduce-steps.js';
import { partition, type Partition } from './partition.js';
import type { BufferRole, Program, ProgramValue, Step } from './program.js';
import { elementReaders, scanSteps } from './scan.js';
import { savedSpikeTrains, withAliases } from './spike-packing.js';
import { simplify } from './simplify.js';

export { compileLimitsOf, type CompileLimits } from './lowering.js';

const REDUCTIONS = new Set(['sum', 'max', 'mean']);

function roleOf(graph: Graph, id: NodeId, outputs: ReadonlySet<NodeId>): BufferRole {
  const op = graph.nodes[id]!.op;
  if (op === 'input') return 'input';
  if (op === 'param') return 'param';
  if (op === 'state') return 'state';
  if (op === 'constant') return 'constant';
  return outputs.has(id) ? 'output' : 'temp';
}

/** Registers a buffer for every materialized node of a partition (aliases resolve to their source). */
export function registerValues(low: Lowering, part: Partition, outputs: ReadonlySet<NodeId>): void {
  for (const id of part.materialized) {
    if (part.aliases.has(id)) continue;
    const node = low.graph.nodes[id]!;
    const attrs = node.attrs as Partial<PrimitiveAttrs['input'] & PrimitiveAttrs['constant']>;
    const extra: Partial<ProgramValue> = {};
    if (node.op === 'input' || node.op === 'param' || node.op === 'state') Object.assign(extra, { name: attrs.name });
    if (node.op === 'constant') Object.assign(extra, { constant: attrs.value });
    const type = node.type as TensorType;
    if (low.packed.has(id)) {
      // The producer writes the plain buffer, short-lived; the packed one is what readers keep.
      // (A spike input arrives packed from the host.)
      if (node.op !== 'input') addValue(low, producedValueId(low, id), type, 'temp', node.name);
      Object.assign(extra, { packed: true, bytes: 4 * packedWords(sizeOf(type.shape)) });
    }
    addValue(low, low.valueId(id), type, roleOf(low.graph, id, outputs), node.name, extra);
  }
}

/** The step packing a saved spike train from the plain buffer its producer wrote. */
function packStep(low: Lowering, id: NodeId): Step {
  const node = low.graph.nodes[id]!;
  const type = node.type as TensorType;
  const source = spikePackKernel(`${node.name}/pack`, { name: 'dense', access: 'read', type, stepStride: 0 }, { name: 'packed', access: 'read_write', type, stepStride: 0, packed: true });
  return { kind: 'kernel', source, args: [producedValueId(low, id), low.valueId(id)], nodes: [id] };
}

/** The steps that compute every materialized node of a partitioned graph, in order. */
export function kernelSteps(low: Lowering, part: Partition): Step[] {
  const { graph } = low;
  const steps: Step[] = [];
  const arg = (id: NodeId) => low.valueId(part.aliases.get(id) ?? id);
  for (const id of part.order) {
    const node = graph.nodes[id]!;
    if (node.op === 'scan') {
      steps.push(...scanSteps(low, node as never, part));
      for (const reader of elementReaders(graph, id).values()) if (low.packed.has(reader)) steps.push(packStep(low, reader));
      continue;
    }
    if (!part.isMaterialized.has(id) || part.aliases.has(id)) continue;
    const members = part.fused.get(id);
    const loads = part.loads.get(id);
    if (members === undefined || loads === undefined) continue; // leaves, constants, tuple elements
    const out = bindingOf(low, id, 'out', 'read_write');
    const packed = new Set(loads.filter((l) => low.packed.has(l)));
    let source;
    if (REDUCTIONS.has(node.op)) {
      const input = node.inputs[0]!;
      const inType = graph.nodes[input]!.type as TensorType;
      const attrs = node.attrs as PrimitiveAttrs['sum'];
      const prologue = members.length > 0 ? valueFunctions(graph, members, loads, low.stepStrides, packed) : undefined;
      const reduction: ReduceArgs = {
        label: node.name,
        op: node.op as 'sum' | 'max' | 'mean',
        inShape: inType.shape,
        axes: attrs.axes,
        keepDims: attrs.keepDims,
        dtype: inType.dtype,
        input:
          prologue === undefined
            ? undefined
            : { code: `${prologue.code}\nfn reduce_input(i: u32) -> ${inType.dtype} { return ${prologue.names.get(input)!}(i); }`, bindings: prologue.bindings },
        inputBinding: prologue === undefined ? bindingOf(low, input, 'in0', 'read') : undefined,
        out,
      };
      steps.push(...reduceSteps(low, reduction, loads.map(arg), producedValueId(low, id), members.length > 0 ? members : [id]));
      if (low.packed.has(id)) steps.push(packStep(low, id)); // a max of spikes
      continue;
    } else if (node.op === 'matmul') {
      steps.push(...matmulSteps(low, node, id, arg, out));
      continue;
    } else if (node.op === 'conv1d' || node.op === 'conv2d') {
      source = convKernel({
        label: node.name,
        op: node.op,
        x: bindingOf(low, node.inputs[0]!, 'x', 'read'),
        w: bindingOf(low, node.inputs[1]!, 'w', 'read'),
        out,
        attrs: node.attrs as PrimitiveAttrs['conv2d'] | PrimitiveAttrs['conv1d'],
      });
    } else source = elementwiseKernel(graph, id, members, loads, low.stepStrides, packed);
    // Conv binds its operands in input order; fused kernels bind their loads in order.
    const reads = node.op === 'conv1d' || node.op === 'conv2d' ? node.inputs : loads;
    steps.push({ kind: 'kernel', source, args: [...reads.map(arg), producedValueId(low, id)], nodes: members.length > 0 ? members : [id] });
    if (low.packed.has(id)) steps.push(packStep(low, id));
  }
  return steps;
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
   * measured faster (see matmulSteps); default true. Off, every matmul uses the dense kernels.
   * A skipped entry is never multiplied, so an infinite right operand facing a 0 spike gives no
   * NaN there (the dense kernels, like the CPU interpreter, would give 0 · ∞ = NaN).
   */
  readonly skipSpikeZeros?: boolean;
}

/** The input nodes named in `spikeInputs`, or an error naming the first unknown one. */
function spikeInputNodes(graph: Graph, names: readonly string[]): Set<NodeId> {
  const byName = new Map(graph.inputs.map((id) => [(graph.nodes[id]!.attrs as PrimitiveAttrs['input']).name, id]));
  return new Set(
    names.map((name) => {
      const id = byName.get(name);
      if (id === undefined) fail('interface', `spikeInputs.${name}`, 'the graph has no input of this name', [...byName.keys()].join(', ') || 'none', name);
      return id;
    }),
  );
}

/** Compiles a graph to a Program: simplify, partition (fuse), schedule, generate WGSL, plan memory. */
export function compileProgram(input: Graph, limits: CompileLimits, options: ProgramOptions = {}): Program {
  const graph = simplify(input);
  const part = partition(graph, limits.maxStorageBuffersPerShaderStage);
  const saved = savedSpikeTrains(graph, part, limits.maxStorageBuffersPerShaderStage, spikeInputNodes(graph, options.spikeInputs ?? []));
  const packed = options.packSpikes === false ? new Set<NodeId>() : withAliases(saved, part);
  const low: Lowering = { graph, limits, values: new Map(), valueId: (id) => id, stepStrides: new Map(), inLoop: false, packed, skipSpikeZeros: options.skipSpikeZeros !== false };
  const resolve = (id: NodeId) => part.aliases.get(id) ?? id;
  registerValues(low, part, new Set(graph.outputs.map((o) => resolve(o.node))));
  // Interface leaves nothing reads still get a buffer, so feeding them works.
  for (const id of [...graph.inputs, ...graph.params, ...graph.state.map((s) => s.node)]) {
    const node = graph.nodes[id]!;
    const type = node.type as TensorType;
    const packedInput = low.packed.has(id) ? { packed: true, bytes: 4 * packedWords(sizeOf(type.shape)) } : {};
    addValue(low, id, type, roleOf(graph, id, new Set()), node.name, { name: (node.attrs as PrimitiveAttrs['input']).name, ...packedInput });
  }
  const steps = kernelSteps(low, part);
  for (const s of graph.state) {
    if (resolve(s.update) !== s.node) steps.push({ kind: 'copy', from: resolve(s.update), to: s.node, bytes: low.values.get(s.node)!.bytes });
  }
  const { slots, slotBytes, memory: plan } = planMemory(low.values, steps);
  const memory = { ...plan, savedSpikeBytes: [...saved].reduce((sum, id) => sum + low.values.get(id)!.bytes, 0) };
  const nameOf = (id: NodeId) => (graph.nodes[id]!.attrs as PrimitiveAttrs['input']).name;
  return {
    values: low.values,
    slots,
    slotBytes,
    steps,
    inputs: graph.inputs.map((id) => ({ name: nameOf(id), value: id })),
    params: graph.params.map((id) => ({ name: nameOf(id), value: id })),
    state: graph.state.map((s) => ({ name: nameOf(s.node), value: s.node, update: resolve(s.update), init: (graph.nodes[s.node]!.attrs as PrimitiveAttrs['state']).init })),
    outputs: graph.outputs.map((o) => ({ name: o.name, value: resolve(o.node) })),
    memory,
  };
}
