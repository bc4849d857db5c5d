import type { ReduceOp } from '../primitives.js';
import type { CpuTable, InferTable } from './rule-types.js';
export declare const reduceInfer: InferTable<ReduceOp>;
export declare const reduceCpu: CpuTable<ReduceOp>;
