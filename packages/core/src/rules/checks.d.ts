import type { DType } from '../dtype.js';
import { type Shape, type TensorType } from '../types.js';
/** Shared argument checks for infer rules; each failure names the node. */
export declare function expectArity<T>(inputs: readonly T[], count: number, where: string, op: string): void;
export declare function expectMinArity<T>(inputs: readonly T[], count: number, where: string, op: string): void;
export declare function expectDType(t: TensorType, allowed: readonly DType[], where: string, what: string): void;
export declare function expectSameDType(a: TensorType, b: TensorType, where: string, op: string): void;
export declare function expectRank(t: TensorType, rank: number, where: string, what: string): void;
export declare function broadcastOrFail(shapes: readonly Shape[], where: string, op: string): number[];
/** A possibly negative axis as an index in [0, rank). */
export declare function normalizeAxis(axis: number, rank: number, where: string): number;
/** Distinct normalized axes, sorted. */
export declare function normalizeAxes(axes: readonly number[], rank: number, where: string): number[];
export declare function expectShapeAttr(shape: unknown, where: string, field: string): asserts shape is Shape;
export declare function expectPositiveInt(x: unknown, where: string, field: string): asserts x is number;
