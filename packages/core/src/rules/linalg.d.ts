import type { CpuTable, InferTable } from './rule-types.js';
/** Linear algebra: batched `matmul` here, the convolutions in conv.ts. */
type LinalgOp = 'matmul' | 'conv1d' | 'conv2d';
export declare const linalgInfer: InferTable<LinalgOp>;
export declare const linalgCpu: CpuTable<LinalgOp>;
export {};
