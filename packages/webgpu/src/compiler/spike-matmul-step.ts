import type { Node, NodeId } from '@spikeflow/core';
import type { BufferBinding } from '../codegen/kernel-source.js';
import { matmulSpikeKernel } from '../codegen/matmul-spike.js';
import type { Lowering } from './lowering.js';
import { matmulArgsOf } from './matmul-steps.js';
import type { KernelStep } from './program.js';

/**
 * The zero-skipping dispatch for matmul node `id` when its left operand is a bit-packed spike
 * train and zero skipping is on; undefined otherwise (the caller uses the dense kernels). On the
 * software device the project measures on, it beat the dense kernels on every W1 product at every
 * spike rate tried (see SPIKE_MATMUL_ROWS; also s1·W2 [512, 256]·[256, 10] and s1ᵀ·dH2 at rate
 * 0.12: 0.77 / 0.30 ms against 1.54 / 1.20 ms for the narrow kernel reading packed s1), so there
 * is no shape rule.
 */
export function spikeMatmulStep(low: Lowering, node: Node, id: NodeId, arg: (id: NodeId) => NodeId, out: BufferBinding): KernelStep | undefined {
  if (low.skipSpikeZeros !== true) return undefined;
  const args = matmulArgsOf(low, node, out);
  if (args.a.packed !== true) return undefined;
  return { kind: 'kernel', source: matmulSpikeKernel(args), args: [arg(node.inputs[0]!), arg(node.inputs[1]!), low.valueId(id)], nodes: [id] };
}
