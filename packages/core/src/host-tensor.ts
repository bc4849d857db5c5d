import type { DType } from './dtype.js';
import { fail } from './errors.js';
import { formatShape, sizeOf, type Shape, type TensorType } from './types.js';

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

export function isHostTuple(v: HostValue): v is HostTuple {
  return 'tuple' in v;
}

export function allocData(dtype: DType, size: number, precision: Precision): HostData {
  switch (dtype) {
    case 'f32':
      return precision === 'f64' ? new Float64Array(size) : new Float32Array(size);
    case 'i32':
      return new Int32Array(size);
    case 'u32':
      return new Uint32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

export function allocTensor(type: TensorType, precision: Precision): HostTensor {
  return { type, data: allocData(type.dtype, sizeOf(type.shape), precision) };
}

/** A host tensor from plain numbers (rounded to the dtype's storage). */
export function tensor(shape: Shape, values: ArrayLike<number> | number, dtype: DType = 'f32', precision: Precision = 'f32'): HostTensor {
  const size = sizeOf(shape);
  const data = allocData(dtype, size, precision);
  if (typeof values === 'number') data.fill(dtype === 'bool' ? Number(values !== 0) : values);
  else {
    if (values.length !== size) {
      fail('feed', 'tensor', `${values.length} values do not fill shape ${formatShape(shape)}`, `${size} values`, `${values.length}`);
    }
    for (let i = 0; i < size; i++) data[i] = dtype === 'bool' ? Number(values[i] !== 0) : values[i]!;
  }
  return { type: { shape: [...shape], dtype }, data };
}

/** The values of a host tensor as a plain array (for tests and printing). */
export function toArray(t: HostTensor): number[] {
  return Array.from(t.data);
}
