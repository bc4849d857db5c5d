import type { KernelOp } from '../codegen/wgsl-rules.js';
import { lowerConv } from './conv-steps.js';
import type { KernelLowering } from './lowering.js';
import { lowerMatmul } from './matmul-steps.js';
import { lowerReduction } from './reduce-steps.js';

/**
 * How each kernel primitive becomes dispatches. Keyed by `KernelOp`, the primitives whose WGSL
 * rule is `kernel`: a primitive given that rule fails type-checking here until it has a lowering.
 */
export type KernelLoweringTable = { readonly [P in KernelOp]: KernelLowering<P> };

export const kernelLowerings: KernelLoweringTable = {
  sum: lowerReduction,
  max: lowerReduction,
  mean: lowerReduction,
  matmul: lowerMatmul,
  conv1d: lowerConv,
  conv2d: lowerConv,
};
