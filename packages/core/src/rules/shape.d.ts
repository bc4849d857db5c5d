import { type Shape } from '../types.js';
import type { CpuTable, InferTable } from './rule-types.js';
/**
 * Shape primitives. `transpose`, `broadcast` and `slice` are strided views of their input
 * (one offset plus a stride per output axis), so they share one copy loop; `pad` is the same
 * view written the other way round (input elements into an output region).
 */
type ShapeOp = 'reshape' | 'transpose' | 'broadcast' | 'slice' | 'concat' | 'pad' | 'gather' | 'oneHot';
/** `offset + Σ idx[k]·strides[k]` for every multi-index `idx` of `shape`, in row-major order. */
export declare function stridedOffsets(shape: Shape, strides: readonly number[], offset?: number): number[];
export declare const shapeInfer: InferTable<ShapeOp>;
export declare const shapeCpu: CpuTable<ShapeOp>;
export {};
