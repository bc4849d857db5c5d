import { simplify, sizeOf, type Graph, type Node, type NodeId, type Partition, type TensorType } from '@spikeflow/core';
import { i32 } from '../module-builder/index.js';
import { copyKernel } from './copy.js';
import { addValue, type Lowering } from './lowering.js';
import type { KernelEmit, Step } from './program.js';
import { fusedScanKernel, oneKernelScanShape } from './scan-fused.js';
import { wasmPartition } from './wasm-partition.js';

/** Ids of the tupleGet nodes reading each element of a scan's tuple. */
export function elementReaders(graph: Graph, scan: NodeId): Map<number, NodeId> {
  const readers = new Map<number, NodeId>();
  for (const n of Object.values(graph.nodes)) {
    if (n.op === 'tupleGet' && n.inputs[0] === scan) readers.set(n.attrs.index, n.id);
  }
  return readers;
}

/** The address of element 0 of `value`, plus step · stride elements when `stride` is not 0. */
const sliceAt = (value: NodeId, stride: number) => (e: KernelEmit) => {
  const base = i32.const(e.offsetOf(value));
  return stride === 0 ? base : i32.add(base, i32.mul(e.step, i32.const(4 * stride)));
};

/**
 * Lowers one scan. An elementwise body becomes ONE kernel looping over t per element; any other
 * body becomes a step loop: its kernels, in the program's module once, are called T times with
 * the step, reading per-step slices of the sequences and writing per-step slices of the outputs.
 */
export function scanSteps(low: Lowering, node: Node<'scan'>, part: Partition): Step[] {
  const steps: Step[] = [];
  const scanId = low.valueId(node.id);
  const inputTypes = node.inputs.map((i) => low.graph.nodes[i]!.type as TensorType);
  // Scan inputs as whole values: a per-step slice of an enclosing loop is copied out first,
  // because this scan's kernels index by their own step.
  const inputs = node.inputs.map((id, k) => {
    const value = low.valueId(part.aliases.get(id) ?? id);
    const stride = low.stepStrides.get(id) ?? 0;
    if (stride === 0) return value;
    const copy = `${scanId}/in${k}`;
    addValue(low, copy, inputTypes[k]!, 'temp');
    steps.push(copyKernel(`${node.name}/input${k}`, [value, copy], sizeOf(inputTypes[k]!.shape), sliceAt(value, stride), sliceAt(copy, 0)));
    return copy;
  });
  const readers = elementReaders(low.graph, node.id);
  const tuple = (node.type as { tuple: readonly TensorType[] }).tuple;
  const shape = oneKernelScanShape(node, inputTypes);
  if (shape !== undefined) {
    const io = {
      inputs: inputs.map((value, k) => ({ value, type: inputTypes[k]! })),
      outputs: tuple.map((type, k) => {
        const reader = readers.get(k);
        return reader === undefined ? undefined : { value: low.valueId(reader), type };
      }),
    };
    steps.push(fusedScanKernel(node.name, node, shape, io));
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

  // Carries: the final-carry outputs when read, else temporaries; seeded from the inits.
  const carries = tuple.slice(0, numCarries).map((t, k) => {
    const reader = readers.get(k);
    const id = reader === undefined ? `${prefix}carry${k}` : low.valueId(reader);
    addValue(low, id, t, 'temp');
    steps.push({ kind: 'copy', from: inputs[k]!, to: id, bytes: low.values.get(id)!.bytes });
    return id;
  });

  // Body nodes map onto outer values where they are the scan's own inputs and outputs.
  const bodyIds = new Map<NodeId, NodeId>();
  const strides = new Map<NodeId, number>();
  body.inputs.forEach((id, k) => {
    if (k < numCarries) bodyIds.set(id, carries[k]!);
    else {
      bodyIds.set(id, inputs[k]!);
      if (k < numCarries + numSequences) strides.set(id, sizeOf((body.nodes[id]!.type as TensorType).shape));
    }
  });
  const bodyPart = wasmPartition(body);
  const outputIds = body.outputs.map((o) => bodyPart.aliases.get(o.node) ?? o.node);
  // A per-step output computed by a body kernel is written straight into its stacked value.
  const direct = new Set<NodeId>();
  outputIds.slice(numCarries).forEach((id, l) => {
    const reader = readers.get(numCarries + l);
    const bn = body.nodes[id]!;
    const computed = bodyPart.loads.has(id) && !bodyIds.has(id) && bn.op !== 'tupleGet';
    const once = outputIds.filter((o) => o === id).length === 1;
    if (reader !== undefined && computed && once) {
      bodyIds.set(id, low.valueId(reader));
      strides.set(id, sizeOf((bn.type as TensorType).shape));
      direct.add(id);
    }
  });
  // A reshape alias is its source's memory, so it is the same per-step slice.
  for (const [alias, source] of bodyPart.aliases) {
    const stride = strides.get(source);
    if (stride !== undefined) strides.set(alias, stride);
  }
  const bodyLow: Lowering = {
    graph: body,
    values: low.values,
    valueId: (id) => bodyIds.get(id) ?? `${prefix}${id}`,
    stepStrides: strides,
    aliases: bodyPart.aliases,
    threads: low.threads,
    skipSpikeZeros: low.skipSpikeZeros,
    spikeTransposeMaxBytes: low.spikeTransposeMaxBytes,
    lowerBody: low.lowerBody,
  };
  const loop: Step[] = low.lowerBody(bodyLow, bodyPart);
  const valueOf = (id: NodeId) => bodyLow.valueId(id);
  const typeOf = (id: NodeId) => body.nodes[id]!.type as TensorType;

  outputIds.slice(numCarries).forEach((id, l) => {
    const reader = readers.get(numCarries + l);
    if (reader === undefined || direct.has(id)) return;
    const size = sizeOf(typeOf(id).shape);
    const to = low.valueId(reader);
    loop.push(copyKernel(`${node.name}/output${l}`, [valueOf(id), to], size, sliceAt(valueOf(id), strides.get(id) ?? 0), sliceAt(to, size)));
  });
  // New carries go through a temporary when they are body inputs, so a permutation of carries
  // (or a carry set from a sequence slice) never reads a value already overwritten this step.
  const staged = outputIds.slice(0, numCarries).map((id, k) => {
    if (valueOf(id) === carries[k]) return undefined;
    if (!body.inputs.includes(id)) return valueOf(id);
    const type = typeOf(id);
    const temp = `${prefix}next${k}`;
    addValue(low, temp, type, 'temp');
    loop.push(copyKernel(`${node.name}/carry${k}`, [valueOf(id), temp], sizeOf(type.shape), sliceAt(valueOf(id), strides.get(id) ?? 0), sliceAt(temp, 0)));
    return temp;
  });
  staged.forEach((from, k) => {
    if (from !== undefined) loop.push({ kind: 'copy', from, to: carries[k]!, bytes: low.values.get(carries[k]!)!.bytes });
  });
  const times = Array.from({ length }, (_, s) => (reverse ? length - 1 - s : s));
  steps.push({ kind: 'loop', times, body: loop, label: node.name });
  return steps;
}
