import type { DType } from './dtype.js';
export type Shape = readonly number[];
/** The type of one tensor value. Tensors are time-major where time matters: `[T, B, ...]`. */
export interface TensorType {
    readonly shape: Shape;
    readonly dtype: DType;
}
/** The type of a node with several outputs (`scan`, `customVjp`); read with `tupleGet`. */
export interface TupleType {
    readonly tuple: readonly TensorType[];
}
export type ValueType = TensorType | TupleType;
export declare function isTupleType(t: ValueType): t is TupleType;
export declare function formatShape(shape: Shape): string;
export declare function formatType(t: ValueType): string;
export declare function sizeOf(shape: Shape): number;
/** Row-major strides of a shape. */
export declare function stridesOf(shape: Shape): number[];
export declare function sameShape(a: Shape, b: Shape): boolean;
export declare function sameType(a: ValueType, b: ValueType): boolean;
/** Numpy broadcasting of two shapes, or undefined when they do not broadcast. */
export declare function broadcastShapes(a: Shape, b: Shape): number[] | undefined;
