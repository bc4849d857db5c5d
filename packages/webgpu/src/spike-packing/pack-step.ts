import { sizeOf, type NodeId, type TensorType } from '@spikeflow/core';
import { producedValueId, type Lowering } from '../compiler/lowering.js';
import type { KernelStep } from '../compiler/program.js';
import { SPIKES_PER_WORD } from './bit-layout.js';
import { spikePackKernel } from './pack-kernel.js';

/** The step packing a saved spike train from the plain buffer its producer wrote. */
export function packStep(low: Lowering, id: NodeId): KernelStep {
  const node = low.graph.nodes[id]!;
  const type = node.type as TensorType;
  const source = spikePackKernel(`${node.name}/pack`, { name: 'dense', access: 'read', type, stepStride: 0 }, { name: 'packed', access: 'read_write', type, stepStride: 0, packed: true });
  return { kind: 'kernel', source, args: [producedValueId(low, id), low.valueId(id)], nodes: [id] };
}

/**
 * Whether a step loop can pack each step's slice of a stacked spike train of elements `type`
 * straight into the packed buffer: a step's elements must fill whole u32 words.
 */
export function packsPerStep(type: TensorType): boolean {
  return sizeOf(type.shape) % SPIKES_PER_WORD === 0;
}

/**
 * Inside a step loop: packs one step's spikes (`from`, a plain value of type `type`, itself a
 * per-step slice when `fromStride` is not 0) into the step's words of the stacked packed buffer
 * `to`, so the stacked train is never stored as float32 (see `packsPerStep`).
 */
export function packSliceStep(label: string, type: TensorType, from: NodeId, fromStride: number, to: NodeId, node: NodeId): KernelStep {
  const source = spikePackKernel(label, { name: 'dense', access: 'read', type, stepStride: fromStride }, { name: 'packed', access: 'read_write', type, stepStride: sizeOf(type.shape), packed: true });
  return { kind: 'kernel', source, args: [from, to], nodes: [node] };
}
