import type { WasmKernelOp } from '../codegen/wasm-rules.js';
import { lowerConv } from './conv-steps.js';
import type { KernelLowering } from './lowering.js';
import { lowerMatmul } from './matmul-steps.js';
import { lowerReduction } from './reduce-steps.js';

/**
 * How each kernel primitive becomes kernels. Keyed by `WasmKernelOp`, the primitives whose WASM
 * rule is `kernel`: a primitive given that rule fails type-checking here until it has a lowering.
 */
export type KernelLoweringTable = { readonly [P in WasmKernelOp]: KernelLowering<P> };

export const kernelLowerings: KernelLoweringTable = {
  sum: lowerReduction,
  max: lowerReduction,
  mean: lowerReduction,
  matmul: lowerMatmul,
  conv1d: lowerConv,
  conv2d: lowerConv,
};
