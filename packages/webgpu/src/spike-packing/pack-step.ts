import type { NodeId, TensorType } from '@spikeflow/core';
import { producedValueId, type Lowering } from '../compiler/lowering.js';
import type { KernelStep } from '../compiler/program.js';
import { spikePackKernel } from './pack-kernel.js';

/** The step packing a saved spike train from the plain buffer its producer wrote. */
export function packStep(low: Lowering, id: NodeId): KernelStep {
  const node = low.graph.nodes[id]!;
  const type = node.type as TensorType;
  const source = spikePackKernel(`${node.name}/pack`, { name: 'dense', access: 'read', type, stepStride: 0 }, { name: 'packed', access: 'read_write', type, stepStride: 0, packed: true });
  return { kind: 'kernel', source, args: [producedValueId(low, id), low.valueId(id)], nodes: [id] };
}
