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

// A typed array's kind and length read from its internal slots: an own `length` property or a
// swapped prototype cannot fake them (instanceof and `.length` can be).
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, Symbol.toStringTag)!.get! as (this: unknown) => string | undefined;
const typedArrayLength = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTOTYPE, 'length')!.get! as (this: unknown) => number;

/** 'Float32Array', 'Int32Array', ... for a genuine typed array, else undefined. */
export function typedArrayKind(value: unknown): string | undefined {
  return typedArrayTag.call(value);
}

/** Typed-array kinds whose every element fits the dtype exactly, so no element needs a check. */
const FITS: Readonly<Record<DType, ReadonlySet<string>>> = {
  f32: new Set(['Float32Array', 'Float64Array']),
  i32: new Set(['Int32Array', 'Int16Array', 'Int8Array', 'Uint16Array', 'Uint8Array', 'Uint8ClampedArray']),
  u32: new Set(['Uint32Array', 'Uint16Array', 'Uint8Array', 'Uint8ClampedArray']),
  bool: new Set(),
};

/**
 * The elements of a fed value, gathered: the fed typed array itself when it is a genuine one (its
 * length from its internal slot), otherwise a copy read once element by element. Gathering runs
 * whatever code the caller's value holds (getters, proxies); checking and storing afterwards run
 * none, so a value checked is the value stored.
 */
export interface FeedElements {
  readonly elements: ArrayLike<unknown>;
  /** How many elements (the leaf's size; never read from the fed value's own `length` again). */
  readonly size: number;
  /** The typed-array kind of `elements` when it is the caller's genuine typed array. */
  readonly kind: string | undefined;
  /** Whether the feed was a scalar number (its errors name the field, not an element). */
  readonly scalar: boolean;
}

/**
 * The index of the first element the dtype cannot hold, or -1. Runs over every element of every
 * feed of every step, so the common cases are tight loops and no name is built until one fails.
 */
function firstBadElement({ elements, kind, size }: FeedElements, dtype: DType): number {
  if (kind !== undefined && FITS[dtype].has(kind)) return -1;
  if (dtype === 'bool' && kind !== undefined && kind !== 'BigInt64Array' && kind !== 'BigUint64Array') {
    const values = elements as ArrayLike<number>;
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

/** `data` as gathered elements of `size`, or one error naming the field. */
function gather(data: unknown, size: number, field: string, what: string): FeedElements {
  const kind = typedArrayKind(data);
  if (kind !== undefined) {
    const length = typedArrayLength.call(data);
    if (length !== size) fail('feed', field, what, `${size} elements`, `${length}`);
    return { elements: data as ArrayLike<unknown>, size, kind, scalar: false };
  }
  const source = data as ArrayLike<unknown>;
  const length = source.length;
  if (typeof length !== 'number') fail('feed', field, 'not a feedable value', 'a number, an array or a HostTensor', 'an object without length');
  if (length !== size) fail('feed', field, what, `${size} elements`, `${length}`);
  // Read once into an array of our own: a getter or proxy cannot change it after the check.
  const copy = new Array<unknown>(size);
  for (let i = 0; i < size; i++) copy[i] = source[i];
  return { elements: copy, size, kind: undefined, scalar: false };
}

/** Gathers a fed value's elements once its form (scalar, array, HostTensor) fits the leaf's type; nothing is checked per element yet. */
export function gatherFeed(value: FeedValue, type: TensorType, field: string): FeedElements {
  const size = sizeOf(type.shape);
  if (typeof value === 'number') {
    if (type.shape.length !== 0) fail('feed', field, 'a scalar was fed to a tensor', formatType(type), 'a number');
    return { elements: [value], size: 1, kind: undefined, scalar: true };
  }
  if (typeof value !== 'object' || value === null) {
    fail('feed', field, 'not a feedable value', 'a number, an array or a HostTensor', value === null ? 'null' : typeof value);
  }
  if (typedArrayKind(value) === undefined && isHostTensor(value)) {
    // Each property read once: a getter cannot answer differently to the check and to the store.
    const fedType = value.type;
    const data = value.data;
    if (!sameShape(fedType.shape, type.shape)) fail('feed', field, 'fed tensor has the wrong shape', formatShape(type.shape), formatShape(fedType.shape));
    if (fedType.dtype !== type.dtype) fail('feed', field, 'fed tensor has the wrong dtype', type.dtype, fedType.dtype);
    return gather(data, size, field, `fed tensor's data does not fill its shape`);
  }
  return gather(value, size, field, `fed array has the wrong length for shape ${formatShape(type.shape)}`);
}

/** Rejects gathered elements the dtype cannot hold, with ONE error naming the field or the element (as `inputs.labels[3]`). */
export function checkGathered(gathered: FeedElements, dtype: DType, field: string): void {
  const bad = firstBadElement(gathered, dtype);
  if (bad < 0) return;
  const problem = elementProblem(gathered.elements[bad], dtype)!;
  fail('feed', gathered.scalar ? field : `${field}[${bad}]`, problem.what, problem.expected, problem.got);
}

/**
 * A fed value's elements once every one of them fits the leaf's type, or ONE error naming the
 * field. For one feed; a backend writing several gathers them all (`gatherFeed`), then checks them
 * all (`checkGathered`), then stores them (`copyFeed`), so a rejected call changes nothing and no
 * caller code runs between a check and its store.
 */
export function checkFeed(value: FeedValue, type: TensorType, field: string): FeedElements {
  const gathered = gatherFeed(value, type, field);
  checkGathered(gathered, type.dtype, field);
  return gathered;
}

/**
 * Stores checked elements into a backend's storage (a fresh array, or a view of its memory: writing
 * in place avoids a fresh array's page faults, which cost more than the copy for large feeds).
 */
export function copyFeed({ elements, kind, size }: FeedElements, out: FeedStorage): void {
  // A genuine typed array of the same kind copies in one call; anything else element by element (converted on store).
  if (kind !== undefined && kind === typedArrayKind(out)) out.set(elements as ArrayLike<number>);
  else for (let i = 0; i < size; i++) out[i] = elements[i] as number;
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
  const gathered = checkFeed(value, type, field);
  const out = alloc(type.dtype, gathered.size);
  copyFeed(gathered, out);
  return out;
}

/** A fed value as a private host tensor of the leaf's type, in the CPU interpreter's float precision. */
export function feedToHostTensor(value: FeedValue, type: TensorType, field: string, precision: Precision): HostTensor {
  return { type, data: feedToTypedArray(value, type, field, (dtype, size) => allocData(dtype, size, precision)) };
}
