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
 * Why an element cannot be held exactly by the dtype, or undefined when it can: integers must be
 * integers in range (no truncation, no wrap-around), bools 0 or 1. f32 takes any number, NaN and
 * ±Infinity included, as a computation may; only a non-number (a hole, a string) is refused there.
 */
function elementProblem(v: unknown, dtype: DType): { readonly what: string; readonly expected: string; readonly got: string } | undefined {
  if (typeof v !== 'number') return { what: `${String(v)} is not a number`, expected: 'a number', got: typeof v };
  if (dtype === 'f32') return undefined;
  if (dtype === 'bool') return v === 0 || v === 1 ? undefined : { what: `${v} is not a bool`, expected: '0 or 1', got: String(v) };
  const [lo, hi] = INTEGER_RANGE[dtype];
  const expected = `an integer in [${lo}, ${hi}] (${dtype})`;
  if (!Number.isInteger(v)) return { what: `${v} is not an integer`, expected, got: String(v) };
  if (v < lo || v > hi) return { what: `${v} is out of range for ${dtype}`, expected, got: String(v) };
  return undefined;
}

/** Whether every element of a typed array fits the dtype without a per-element check (f32 data into f32, ...). */
function fitsWithoutCheck(elements: ArrayLike<unknown>, dtype: DType): boolean {
  if (dtype === 'f32') return elements instanceof Float32Array || elements instanceof Float64Array;
  if (dtype === 'i32') return elements instanceof Int32Array || elements instanceof Int16Array || elements instanceof Int8Array || elements instanceof Uint16Array || elements instanceof Uint8Array;
  if (dtype === 'u32') return elements instanceof Uint32Array || elements instanceof Uint16Array || elements instanceof Uint8Array;
  return false;
}

/**
 * The index of the first element the dtype cannot hold, or -1. Runs over every element of every
 * feed of every step, so the common cases are tight loops and no name is built until one fails.
 */
function firstBadElement(elements: ArrayLike<unknown>, dtype: DType): number {
  const size = elements.length;
  if (fitsWithoutCheck(elements, dtype)) return -1;
  if (dtype === 'bool' && ArrayBuffer.isView(elements)) {
    const values = elements as unknown as ArrayLike<number>;
    for (let i = 0; i < size; i++) {
      const v = values[i]!;
      if (v !== 0 && v !== 1) return i;
    }
    return -1;
  }
  for (let i = 0; i < size; i++) if (elementProblem(elements[i], dtype) !== undefined) return i;
  return -1;
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
 * The elements of a fed value once every one of them fits the leaf's type, or ONE error naming
 * the field (or the element, as `inputs.labels[3]`). A backend checks every feed of a call with
 * this before it writes any (`copyFeed`), so a rejected feed changes nothing.
 */
export function checkFeed(value: FeedValue, type: TensorType, field: string): ArrayLike<number> {
  const elements = elementsOf(value, type, field);
  const bad = firstBadElement(elements, type.dtype);
  if (bad >= 0) {
    const problem = elementProblem(elements[bad], type.dtype)!;
    fail('feed', typeof value === 'number' ? field : `${field}[${bad}]`, problem.what, problem.expected, problem.got);
  }
  return elements as ArrayLike<number>;
}

/**
 * Copies checked elements into a backend's storage (a fresh array, or a view of its memory: writing
 * in place avoids a fresh array's page faults, which cost more than the copy for large feeds).
 */
export function copyFeed(elements: ArrayLike<number>, out: FeedStorage): void {
  // Same-kind typed arrays copy in one call; anything else element by element (converted on store).
  if (ArrayBuffer.isView(elements) && out.constructor === elements.constructor) out.set(elements);
  else for (let i = 0, size = elements.length; i < size; i++) out[i] = elements[i]!;
}

/**
 * A fed value as a typed array of the leaf's storage, or ONE error naming the field (see
 * `checkFeed`). `alloc` makes the backend's array (default: the CPU interpreter's f32 storage);
 * its length may exceed the size (a GPU buffer is never empty).
 */
export function feedToTypedArray<A extends FeedStorage = HostData>(
  value: FeedValue,
  type: TensorType,
  field: string,
  alloc: (dtype: DType, size: number) => A = (dtype, size) => allocData(dtype, size, 'f32') as A,
): A {
  const elements = checkFeed(value, type, field);
  const out = alloc(type.dtype, elements.length);
  copyFeed(elements, out);
  return out;
}

/** A fed value as a private host tensor of the leaf's type, in the CPU interpreter's float precision. */
export function feedToHostTensor(value: FeedValue, type: TensorType, field: string, precision: Precision): HostTensor {
  return { type, data: feedToTypedArray(value, type, field, (dtype, size) => allocData(dtype, size, precision)) };
}
