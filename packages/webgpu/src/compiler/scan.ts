import { simplify, sizeOf, type Graph, type Node, type NodeId, type Partition, type Shape, type TensorType } from '@spikeflow/core';
import { copyKernel } from '../codegen/copy.js';
import type { BufferBinding } from '../codegen/kernel-source.js';
import { fusedScanKernel, fusedScanShape } from '../codegen/scan-fused.js';
import { addValue, producedValueId, type Lowering } from './lowering.js';
import { inPlaceOutputs } from './scan-in-place.js';
import { wgslPartition } from './wgsl-partition.js';
import type { Step } from './program.js';

const plain = (name: string, type: TensorType, access: BufferBinding['access'], stepStride = 0): BufferBinding => ({ name, access, type, stepStride });

/** Ids of the tupleGet nodes reading each element of a scan's tuple. */
export function elementReaders(graph: Graph, scan: NodeId): Map<number, NodeId> {
  const readers = new Map<number, NodeId>();
  for (const n of Object.values(graph.nodes)) {
    if (n.op === 'tupleGet' && n.inputs[0] === scan) readers.set(n.attrs.index, n.id);
  }
  return readers;
}

/**
 * The element shape when a scan lowers to ONE kernel looping over t (its body is elementwise and
 * its buffers fit the binding limit), else undefined (it runs as a step loop).
 */
export function oneKernelScanShape(graph: Graph, node: Node<'scan'>, maxBindings: number): Shape | undefined {
  const inputTypes = node.inputs.map((i) => graph.nodes[i]!.type as TensorType);
  const shape = fusedScanShape(node, inputTypes);
  const bindingCount = node.inputs.length + elementReaders(graph, node.id).size;
  return shape !== undefined && bindingCount <= maxBindings ? shape : undefined;
}

/**
 * Lowers one scan. An elementwise body becomes ONE kernel looping over t per element; any other
 * body becomes a step loop: its kernels, compiled once, are encoded T times in the same command
 * buffer, reading per-step slices of the sequences and writing per-step slices of the outputs
 * through the step uniform.
 */
export function scanSteps(low: Lowering, node: Node<'scan'>, part: Partition): Step[] {
  const steps: Step[] = [];
  const scanId = low.valueId(node.id);
  const inputTypes = node.inputs.map((i) => low.graph.nodes[i]!.type as TensorType);
  // Scan inputs as plain buffers: a per-step slice of an enclosing loop is copied out first,
  // because this scan's kernels index by their own step.
  const inputs = node.inputs.map((id, k) => {
    const value = low.valueId(part.aliases.get(id) ?? id);
    const stride = low.stepStrides.get(id) ?? 0;
    if (stride === 0) return value;
    const copy = `${scanId}/in${k}`;
    addValue(low, copy, inputTypes[k]!, 'temp', node.name);
    steps.push({ kind: 'kernel', source: copyKernel(`${node.name}/input${k}`, plain('src', inputTypes[k]!, 'read', stride), plain('dst', inputTypes[k]!, 'read_write')), args: [value, copy], nodes: [node.id] });
    return copy;
  });
  const readers = elementReaders(low.graph, node.id);
  const tuple = (node.type as { tuple: readonly TensorType[] }).tuple;
  const shape = oneKernelScanShape(low.graph, node, low.limits.maxStorageBuffersPerShaderStage);
  const used = tuple.map((_, k) => readers.get(k));
  if (shape !== undefined) {
    // An output written in place is bound as the sequence it overwrites, one read_write binding.
    const inPlace = inPlaceOutputs(low, part, node, inputs, shape, readers);
    const overwritten = new Set(inPlace.values());
    const inputBindings = inputTypes.map((t, k) => ({ ...plain(`s${k}`, t, overwritten.has(k) ? 'read_write' : 'read'), ...(low.packed.has(node.inputs[k]!) ? { packed: true } : {}) }));
    const source = fusedScanKernel(node.name, node, shape, {
      inputs: inputBindings,
      outputs: tuple.map((t, k) => (used[k] === undefined ? undefined : inPlace.has(k) ? inputBindings[inPlace.get(k)!]! : plain(`o${k}`, t, 'read_write'))),
    });
    const outs = used.flatMap((id, k) => (id === undefined || inPlace.has(k) ? [] : [producedValueId(low, id)]));
    steps.push({ kind: 'kernel', source, args: [...inputs, ...outs], nodes: [node.id] });
    return steps;
  }
  return [...steps, ...stepLoop(low, node, inputs, readers)];
}

function stepLoop(low: Lowering, node: Node<'scan'>, inputs: readonly NodeId[], readers: ReadonlyMap<number, NodeId>): Step[] {
  const { numCarries, numSequences, length, reverse } = node.attrs;
  const body = simplify(node.attrs.body);
  const scanId = low.valueId(node.id);
  const prefix = `${scanId}/`;
  const tuple = (node.type as { tuple: readonly TensorType[] }).tuple;
  const steps: Step[] = [];

  // Carry buffers: the final-carry outputs when read, else temporaries; seeded from the inits.
  const carries = tuple.slice(0, numCarries).map((t, k) => {
    const reader = readers.get(k);
    const id = reader === undefined ? `${prefix}carry${k}` : producedValueId(low, reader);
    addValue(low, id, t, 'temp', node.name);
    steps.push({ kind: 'copy', from: inputs[k]!, to: id, bytes: Math.max(4, sizeOf(t.shape) * 4) });
    return id;
  });

  // Body nodes map onto outer buffers where they are the scan's own inputs and outputs.
  const bodyIds = new Map<NodeId, NodeId>();
  const strides = new Map<NodeId, number>();
  body.inputs.forEach((id, k) => {
    if (k < numCarries) bodyIds.set(id, carries[k]!);
    else {
      bodyIds.set(id, inputs[k]!);
      if (k < numCarries + numSequences) strides.set(id, sizeOf((body.nodes[id]!.type as TensorType).shape));
    }
  });
  const bodyPart = wgslPartition(body, low.limits.maxStorageBuffersPerShaderStage);
  const outputIds = body.outputs.map((o) => bodyPart.aliases.get(o.node) ?? o.node);
  // A per-step output computed by a body kernel is written straight into its stacked buffer.
  const direct = new Set<NodeId>();
  outputIds.slice(numCarries).forEach((id, l) => {
    const reader = readers.get(numCarries + l);
    const bn = body.nodes[id]!;
    const computed = bodyPart.loads.has(id) && !bodyIds.has(id) && bn.op !== 'tupleGet';
    const once = outputIds.filter((o) => o === id).length === 1;
    if (reader !== undefined && computed && once) {
      bodyIds.set(id, producedValueId(low, reader));
      strides.set(id, sizeOf((bn.type as TensorType).shape));
      direct.add(id);
    }
  });
  // A reshape alias is bound as its source's buffer, so it is the same per-step slice: kernels
  // look strides up by the node they load (the alias), and without this read step 0's slice.
  for (const [alias, source] of bodyPart.aliases) {
    const stride = strides.get(source);
    if (stride !== undefined) strides.set(alias, stride);
  }
  // A sequence or constant stored as packed bits outside is read as bits inside (the outer
  // compiler packed it only where every body reader unpacks: see stepLoopPackedInputs).
  const packed = new Set(body.inputs.filter((_, k) => k >= numCarries && low.packed.has(node.inputs[k]!)));
  for (const [alias, source] of bodyPart.aliases) if (packed.has(source)) packed.add(alias);
  const bodyLow: Lowering = {
    graph: body,
    limits: low.limits,
    values: low.values,
    valueId: (id) => bodyIds.get(id) ?? `${prefix}${id}`,
    stepStrides: strides,
    inLoop: true,
    packed,
    inPlace: low.inPlace,
    ...(low.skipSpikeZeros === undefined ? {} : { skipSpikeZeros: low.skipSpikeZeros }),
    lowerBody: low.lowerBody,
  };
  const loop: Step[] = low.lowerBody(bodyLow, bodyPart);
  const valueOf = (id: NodeId) => bodyLow.valueId(id);
  const typeOf = (id: NodeId) => body.nodes[id]!.type as TensorType;

  outputIds.slice(numCarries).forEach((id, l) => {
    const reader = readers.get(numCarries + l);
    if (reader === undefined || direct.has(id)) return;
    const type = typeOf(id);
    const from = plain('src', type, 'read', strides.get(id) ?? 0);
    const to = plain('dst', type, 'read_write', sizeOf(type.shape));
    loop.push({ kind: 'kernel', source: copyKernel(`${node.name}/output${l}`, from, to), args: [valueOf(id), producedValueId(low, reader)], nodes: [node.id] });
  });
  // New carries go through a temporary when they are body inputs, so a permutation of carries
  // (or a carry set from a sequence slice) never reads a value already overwritten this step.
  const staged = outputIds.slice(0, numCarries).map((id, k) => {
    if (valueOf(id) === carries[k]) return undefined;
    if (!body.inputs.includes(id)) return valueOf(id);
    const type = typeOf(id);
    const temp = `${prefix}next${k}`;
    addValue(low, temp, type, 'temp', node.name);
    loop.push({ kind: 'kernel', source: copyKernel(`${node.name}/carry${k}`, plain('src', type, 'read', strides.get(id) ?? 0), plain('dst', type, 'read_write')), args: [valueOf(id), temp], nodes: [node.id] });
    return temp;
  });
  staged.forEach((from, k) => {
    if (from !== undefined) loop.push({ kind: 'copy', from, to: carries[k]!, bytes: low.values.get(carries[k]!)!.bytes });
  });
  const times = Array.from({ length }, (_, s) => (reverse ? length - 1 - s : s));
  steps.push({ kind: 'loop', times, body: loop, label: node.name });
  return steps;
}
