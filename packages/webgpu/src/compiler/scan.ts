import { elementReaders, planStepLoop, stepLoopSteps, wholeScanInputs, type Graph, type Node, type NodeId, type Partition, type ScanStepsBackend, type Shape, type StepLoopPlan, type TensorType } from '@spikeflow/core';
import { copyKernel } from '../codegen/copy.js';
import type { BufferBinding } from '../codegen/kernel-source.js';
import { fusedScanKernel, fusedScanShape } from '../codegen/scan-fused.js';
import { packSliceStep, packStep, packsPerStep } from '../spike-packing/pack-step.js';
import { addValue, producedValueId, type Lowering } from './lowering.js';
import { inPlaceOutputs } from './scan-in-place.js';
import { wgslPartition } from './wgsl-partition.js';
import type { Step } from './program.js';

const plain = (name: string, type: TensorType, access: BufferBinding['access'], stepStride = 0): BufferBinding => ({ name, access, type, stepStride });

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
 * through the step uniform. A stacked output stored as bits is packed after the scan, or by the
 * step loop itself, step by step (see `stepLoop`).
 */
export function scanSteps(low: Lowering, node: Node<'scan'>, part: Partition): Step[] {
  const scanId = low.valueId(node.id);
  const backend = scanBackend(low, node);
  const inputTypes = node.inputs.map((i) => low.graph.nodes[i]!.type as TensorType);
  // Scan inputs as plain buffers (a per-step slice of an enclosing loop is copied out first).
  const slices = node.inputs.map((id) => ({ value: low.valueId(part.aliases.get(id) ?? id), stride: low.stepStrides.get(id) ?? 0 }));
  const { inputs, steps } = wholeScanInputs(node, scanId, slices, inputTypes, backend);
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
    return [...steps, ...packSteps(low, readers, new Set())];
  }
  const loop = stepLoop(low, node, inputs, readers, backend);
  return [...steps, ...loop.steps, ...packSteps(low, readers, loop.packedPerStep)];
}

/** Core's scan lowering with temporaries checked against the device and copies as copy kernels, all charged to the scan node. */
function scanBackend(low: Lowering, node: Node<'scan'>): ScanStepsBackend<Step> {
  return {
    addTemp: (id, type) => addValue(low, id, type, 'temp', node.name),
    bytesOf: (id) => low.values.get(id)!.bytes,
    copySlice: (label, type, from, to) => ({ kind: 'kernel', source: copyKernel(label, plain('src', type, 'read', from.stride), plain('dst', type, 'read_write', to.stride)), args: [from.value, to.value], nodes: [node.id] }),
  };
}

/** Pack steps after a scan for its outputs stored as bits that its step loop did not pack itself. */
function packSteps(low: Lowering, readers: ReadonlyMap<number, NodeId>, packedPerStep: ReadonlySet<NodeId>): Step[] {
  return [...readers.values()].filter((id) => low.packed.has(id) && !packedPerStep.has(id)).map((id) => packStep(low, id));
}

/**
 * A scan as a loop of its body's steps (core's `planStepLoop`). A stacked output stored as bits
 * whose per-step slice fills whole words is packed into its slice of the packed buffer at every
 * step (`packedPerStep`, the readers so packed), so its float32 sequence is never stored: the dense
 * buffer registered for it is dropped.
 */
function stepLoop(low: Lowering, node: Node<'scan'>, inputs: readonly NodeId[], readers: ReadonlyMap<number, NodeId>, backend: ScanStepsBackend<Step>): { steps: Step[]; packedPerStep: Set<NodeId> } {
  const plan = planStepLoop(node, low.valueId(node.id), inputs, readers, {
    partition: (body) => wgslPartition(body, low.limits.maxStorageBuffersPerShaderStage),
    readerValue: (reader) => producedValueId(low, reader),
    convertedPerStep: (reader, type) => low.packed.has(reader) && packsPerStep(type),
  });
  const steps = stepLoopSteps(plan, node.name, {
    ...backend,
    lowerBody: (p) => low.lowerBody(bodyLowering(low, node, p), p.part),
    storeConverted: (out) => {
      low.values.delete(producedValueId(low, out.reader));
      return packSliceStep(`${node.name}/output${out.index}/pack`, out.type, out.from.value, out.from.stride, low.valueId(out.reader), node.id);
    },
  });
  return { steps, packedPerStep: new Set(plan.stacked.filter((out) => out.converted).map((out) => out.reader)) };
}

/**
 * The lowering of a step loop's body: its buffers named and sliced as the plan says. A sequence
 * or constant stored as packed bits outside is read as bits inside (the outer compiler packed it
 * only where every body reader unpacks: see stepLoopPackedInputs).
 */
function bodyLowering(low: Lowering, node: Node<'scan'>, plan: StepLoopPlan): Lowering {
  const { body, part } = plan;
  const packed = new Set(body.inputs.filter((_, k) => k >= node.attrs.numCarries && low.packed.has(node.inputs[k]!)));
  for (const [alias, source] of part.aliases) if (packed.has(source)) packed.add(alias);
  return {
    graph: body,
    limits: low.limits,
    values: low.values,
    valueId: plan.valueOf,
    stepStrides: plan.strides,
    inLoop: true,
    packed,
    inPlace: low.inPlace,
    ...(low.skipSpikeZeros === undefined ? {} : { skipSpikeZeros: low.skipSpikeZeros }),
    lowerBody: low.lowerBody,
  };
}
