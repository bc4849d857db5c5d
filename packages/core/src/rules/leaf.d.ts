import type { LeafOp } from '../primitives.js';
import type { CpuTable, InferTable } from './rule-types.js';
export declare const leafInfer: InferTable<LeafOp>;
export declare const leafCpu: CpuTable<LeafOp>;
