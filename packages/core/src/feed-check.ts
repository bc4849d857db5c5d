import type { DType } from './dtype.js';
import { fail } from './errors.js';
import { allocData, type HostData, type HostTensor, type Precision } from './host-tensor.js';
import { formatShape, formatType, sameShape, sizeOf, type TensorType } from './types.js';

/** A value a caller passes for a graph's input, param or state: a number, an array, or a HostTensor. */
export type FeedValue = HostTensor | ArrayLike<number> | number;

/** A typed array of a dtype's storage, as a backend keeps it (bool may be held in 32-bit words). */
export type FeedStorage = HostData | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Float32Array<ArrayBuffer>;

/** The integers an i32 or u32 holds, inclusive. */
const INTEGER_RANGE: Readonly<Record<'i32' | 'u32', readonly [number, number]>> = {
  i32: [-(2 ** 31), 2 ** 31 - 1],
  u32: [0, 2 ** 32 - 1],
};

/**
 * Rejects an element that the dtype cannot hold exactly, naming it: integers must be integers in
 * range (no truncation, no wrap-around), bools 0 or 1. f32 takes any number, NaN and ±Infinity
 * included, as a computation may; only a non-number (a hole, a string) is refused there.
 */
function checkElement(v: unknown, dtype: DType, where: string): void {
  if (typeof v !== 'number') fail('feed', where, `${String(v)} is not a number`, 'a number', typeof v);
  if (dtype === 'f32') return;
  if (dtype === 'bool') {
    if (v !== 0 && v !== 1) fail('feed', where, `${v} is not a bool`, '0 or 1', String(v));
    return;
  }
  const [lo, hi] = INTEGER_RANGE[dtype];
  const expected = `an integer in [${lo}, ${hi}] (${dtype})`;
  if (!Number.isInteger(v)) fail('feed', where, `${v} is not an integer`, expected, String(v));
  if (v < lo || v > hi) fail('feed', where, `${v} is out of range for ${dtype}`, expected, String(v));
}

function isHostTensor(value: object): value is HostTensor {
  return 'type' in value && 'data' in value;
}

/** The elements a feed provides, once its form (scalar, array, HostTensor) fits the leaf's type. */
function elementsOf(value: FeedValue, type: TensorType, field: string): ArrayLike<unknown> {
  const size = sizeOf(type.shape);
  if (typeof value === 'number') {
    if (type.shape.length !== 0) fail('feed', field, 'a scalar was fed to a tensor', formatType(type), 'a number');
    return [value];
  }
  if (typeof value !== 'object' || value === null) {
    fail('feed', field, 'not a feedable value', 'a number, an array or a HostTensor', value === null ? 'null' : typeof value);
  }
  if (isHostTensor(value)) {
    if (!sameShape(value.type.shape, type.shape)) {
      fail('feed', field, 'fed tensor has the wrong shape', formatShape(type.shape), formatShape(value.type.shape));
    }
    if (value.type.dtype !== type.dtype) fail('feed', field, 'fed tensor has the wrong dtype', type.dtype, value.type.dtype);
    if (value.data.length !== size) {
      fail('feed', field, `fed tensor's data does not fill its shape`, `${size} elements`, `${value.data.length}`);
    }
    return value.data;
  }
  if (typeof value.length !== 'number') fail('feed', field, 'not a feedable value', 'a number, an array or a HostTensor', 'an object without length');
  if (value.length !== size) {
    fail('feed', field, `fed array has the wrong length for shape ${formatShape(type.shape)}`, `${size} elements`, `${value.length}`);
  }
  return value;
}

/**
 * A fed value as a typed array of the leaf's storage, or ONE error naming the field (or the
 * element, as `inputs.labels[3]`). Every check runs before the caller writes anything, so a
 * rejected feed changes nothing. `alloc` makes the backend's array (default: the CPU
 * interpreter's f32 storage); its length may exceed the size (a GPU buffer is never empty).
 */
export function feedToTypedArray<A extends FeedStorage = HostData>(
  value: FeedValue,
  type: TensorType,
  field: string,
  alloc: (dtype: DType, size: number) => A = (dtype, size) => allocData(dtype, size, 'f32') as A,
): A {
  const elements = elementsOf(value, type, field);
  const scalar = typeof value === 'number';
  const size = elements.length;
  for (let i = 0; i < size; i++) checkElement(elements[i], type.dtype, scalar ? field : `${field}[${i}]`);
  const out = alloc(type.dtype, size);
  for (let i = 0; i < size; i++) out[i] = elements[i] as number;
  return out;
}

/** A fed value as a private host tensor of the leaf's type, in the CPU interpreter's float precision. */
export function feedToHostTensor(value: FeedValue, type: TensorType, field: string, precision: Precision): HostTensor {
  return { type, data: feedToTypedArray(value, type, field, (dtype, size) => allocData(dtype, size, precision)) };
}
