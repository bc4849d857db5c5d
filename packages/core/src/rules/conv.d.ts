import type { CpuTable, InferTable } from './rule-types.js';
/**
 * `conv1d` and `conv2d` as one n-d cross-correlation (PyTorch's convention): x `[N, Cin, ...S]`,
 * w `[Cout, Cin/groups, ...K]` -> `[N, Cout, ...O]` with, per spatial axis,
 * O = floor((S + lo + hi - dilation·(K - 1) - 1) / stride) + 1.
 */
type ConvOp = 'conv1d' | 'conv2d';
export declare const convInfer: InferTable<ConvOp>;
export declare const convCpu: CpuTable<ConvOp>;
export {};
