import { type BinaryOp, type CompareOp, type LogicalOp, type UnaryOp } from '../primitives.js';
import type { CpuTable, InferTable } from './rule-types.js';
type ElementwiseOp = UnaryOp | BinaryOp | CompareOp | LogicalOp | 'where' | 'cast' | 'spike' | 'stopGradient';
/** Round half to even, as WGSL's `round`; a zero result keeps x's sign (IEEE roundeven). */
export declare function roundHalfEven(x: number): number;
export declare const elementwiseInfer: InferTable<ElementwiseOp>;
export declare const elementwiseCpu: CpuTable<ElementwiseOp>;
export {};
