import type { RandomOp } from '../primitives.js';
import type { CpuTable, InferTable } from './rule-types.js';
export declare const randomInfer: InferTable<RandomOp>;
export declare const randomCpu: CpuTable<RandomOp>;
