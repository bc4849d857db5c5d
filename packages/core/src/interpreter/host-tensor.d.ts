import type { DType } from '../dtype.js';
import { type Shape, type TensorType } from '../types.js';
export type HostData = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;
/** A tensor in host memory: row-major data with its type. */
export interface HostTensor {
    readonly type: TensorType;
    readonly data: HostData;
}
export interface HostTuple {
    readonly tuple: readonly HostTensor[];
}
export type HostValue = HostTensor | HostTuple;
/**
 * Float storage of the CPU interpreter: `f32` rounds every float result to float32 as a GPU
 * does; `f64` keeps float64 throughout, for finite-difference gradient checks.
 */
export type Precision = 'f32' | 'f64';
export declare function isHostTuple(v: HostValue): v is HostTuple;
export declare function allocData(dtype: DType, size: number, precision: Precision): HostData;
export declare function allocTensor(type: TensorType, precision: Precision): HostTensor;
/** A host tensor from plain numbers (rounded to the dtype's storage). */
export declare function tensor(shape: Shape, values: ArrayLike<number> | number, dtype?: DType, precision?: Precision): HostTensor;
/** The values of a host tensor as a plain array (for tests and printing). */
export declare function toArray(t: HostTensor): number[];
