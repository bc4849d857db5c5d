import { elementReaders, planStepLoop, sizeOf, stepLoopSteps, wholeScanInputs, type Node, type Partition, type ScanStepsBackend, type StepLoopPlan, type StepSlice, type TensorType } from '@spikeflow/core';
import { i32 } from '../module-builder/index.js';
import { copyKernel } from './copy.js';
import { addValue, type Lowering } from './lowering.js';
import type { KernelEmit, Step } from './program.js';
import { fusedScanKernel, oneKernelScanShape } from './scan-fused.js';
import { wasmPartition } from './wasm-partition.js';

/** The address of element 0 of a slice: its value's, plus step · stride elements when the stride is not 0. */
const sliceAt =
  ({ value, stride }: StepSlice) =>
  (e: KernelEmit) => {
    const base = i32.const(e.offsetOf(value));
    return stride === 0 ? base : i32.add(base, i32.mul(e.step, i32.const(4 * stride)));
  };

/** Core's scan lowering with temporaries in the program's memory and `memory.copy` kernels. */
function scanBackend(low: Lowering): ScanStepsBackend<Step> {
  return {
    addTemp: (id, type) => addValue(low, id, type, 'temp'),
    bytesOf: (id) => low.values.get(id)!.bytes,
    copySlice: (label, type, from, to) => copyKernel(label, [from.value, to.value], sizeOf(type.shape), sliceAt(from), sliceAt(to)),
  };
}

/**
 * Lowers one scan. An elementwise body becomes ONE kernel looping over t per element; any other
 * body becomes a step loop (core's `planStepLoop`): its kernels, in the program's module once, are
 * called T times with the step, reading per-step slices of the sequences and writing per-step
 * slices of the outputs.
 */
export function scanSteps(low: Lowering, node: Node<'scan'>, part: Partition): Step[] {
  const scanId = low.valueId(node.id);
  const backend = scanBackend(low);
  const inputTypes = node.inputs.map((i) => low.graph.nodes[i]!.type as TensorType);
  const slices = node.inputs.map((id) => ({ value: low.valueId(part.aliases.get(id) ?? id), stride: low.stepStrides.get(id) ?? 0 }));
  const { inputs, steps } = wholeScanInputs(node, scanId, slices, inputTypes, backend);
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
    return [...steps, fusedScanKernel(node.name, node, shape, io)];
  }
  const plan = planStepLoop(node, scanId, inputs, readers, { partition: wasmPartition, readerValue: low.valueId });
  return [...steps, ...stepLoopSteps(plan, node.name, { ...backend, lowerBody: (p) => low.lowerBody(bodyLowering(low, p), p.part) })];
}

/** The lowering of a step loop's body: its values named and sliced as the plan says, in the program's one namespace. */
function bodyLowering(low: Lowering, plan: StepLoopPlan): Lowering {
  return { ...low, graph: plan.body, valueId: plan.valueOf, stepStrides: plan.strides, aliases: plan.part.aliases };
}
