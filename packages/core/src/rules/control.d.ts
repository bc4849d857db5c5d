import type { CpuTable, InferTable } from './rule-types.js';
/**
 * `scan`, `customVjp` and `tupleGet`: the primitives that hold nested graphs or read their tuple
 * results. Their nested graphs are called by position, so the infer rules check each graph's
 * interface against the node's inputs; the graphs' insides are validated with their parent.
 */
type ControlOp = 'scan' | 'customVjp' | 'tupleGet';
export declare const controlInfer: InferTable<ControlOp>;
export declare const controlCpu: CpuTable<ControlOp>;
export {};
