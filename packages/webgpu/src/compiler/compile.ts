import type { Graph, NodeId, PrimitiveAttrs, TensorType } from '@spikeflow/core';
import { convKernel } from '../codegen/conv.js';
import { elementwiseKernel } from '../codegen/elementwise.js';
import { matmulKernel } from '../codegen/matmul.js';
import { reduceKernel } from '../codegen/reduce.js';
import { valueFunctions } from '../codegen/value-functions.js';
import { addValue, bindingOf, type CompileLimits, type Lowering } from './lowering.js';
import { planMemory } from './memory.js';
import { partition, type Partition } from './partition.js';
import type { BufferRole, Program, ProgramValue, Step } from './program.js';
import { scanSteps } from './scan.js';
import { simplify } from './simplify.js';

export type { CompileLimits } from './lowering.js';

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
    addValue(low, low.valueId(id), node.type as TensorType, roleOf(low.graph, id, outputs), node.name, extra);
  }
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
      continue;
    }
    if (!part.isMaterialized.has(id) || part.aliases.has(id)) continue;
    const members = part.fused.get(id);
    const loads = part.loads.get(id);
    if (members === undefined || loads === undefined) continue; // leaves, constants, tuple elements
    const out = bindingOf(low, id, 'out', 'read_write');
    let source;
    if (REDUCTIONS.has(node.op)) {
      const input = node.inputs[0]!;
      const inType = graph.nodes[input]!.type as TensorType;
      const attrs = node.attrs as PrimitiveAttrs['sum'];
      const prologue = members.length > 0 ? valueFunctions(graph, members, loads, low.stepStrides) : undefined;
      source = reduceKernel({
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
      });
    } else if (node.op === 'matmul') {
      const a = node.attrs as PrimitiveAttrs['matmul'];
      source = matmulKernel({
        label: node.name,
        a: bindingOf(low, node.inputs[0]!, 'a', 'read'),
        b: bindingOf(low, node.inputs[1]!, 'b', 'read'),
        out,
        transposeA: a.transposeA,
        transposeB: a.transposeB,
      });
    } else if (node.op === 'conv1d' || node.op === 'conv2d') {
      source = convKernel({
        label: node.name,
        op: node.op,
        x: bindingOf(low, node.inputs[0]!, 'x', 'read'),
        w: bindingOf(low, node.inputs[1]!, 'w', 'read'),
        out,
        attrs: node.attrs as PrimitiveAttrs['conv2d'] | PrimitiveAttrs['conv1d'],
      });
    } else source = elementwiseKernel(graph, id, members, loads, low.stepStrides);
    // Matmul and conv bind their operands in input order; fused kernels bind their loads in order.
    const reads = node.op === 'matmul' || node.op === 'conv1d' || node.op === 'conv2d' ? node.inputs : loads;
    steps.push({ kind: 'kernel', source, args: [...reads.map(arg), low.valueId(id)], nodes: members.length > 0 ? members : [id] });
  }
  return steps;
}

/** Compiles a graph to a Program: simplify, partition (fuse), schedule, generate WGSL, plan memory. */
export function compileProgram(input: Graph, limits: CompileLimits): Program {
  const graph = simplify(input);
  const part = partition(graph, limits.maxStorageBuffersPerShaderStage);
  const low: Lowering = { graph, limits, values: new Map(), valueId: (id) => id, stepStrides: new Map(), inLoop: false };
  const resolve = (id: NodeId) => part.aliases.get(id) ?? id;
  registerValues(low, part, new Set(graph.outputs.map((o) => resolve(o.node))));
  // Interface leaves nothing reads still get a buffer, so feeding them works.
  for (const id of [...graph.inputs, ...graph.params, ...graph.state.map((s) => s.node)]) {
    const node = graph.nodes[id]!;
    addValue(low, id, node.type as TensorType, roleOf(graph, id, new Set()), node.name, { name: (node.attrs as PrimitiveAttrs['input']).name });
  }
  const steps = kernelSteps(low, part);
  for (const s of graph.state) {
    if (resolve(s.update) !== s.node) steps.push({ kind: 'copy', from: resolve(s.update), to: s.node, bytes: low.values.get(s.node)!.bytes });
  }
  const { slots, slotBytes, memory } = planMemory(low.values, steps);
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
