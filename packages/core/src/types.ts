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

export function isTupleType(t: ValueType): t is TupleType {
  return 'tuple' in t;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function formatType(t: ValueType): string {
  if (isTupleType(t)) return `(${t.tuple.map(formatType).join(', ')})`;
  return `${t.dtype}${formatShape(t.shape)}`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function sameType(a: ValueType, b: ValueType): boolean {
  if (isTupleType(a) || isTupleType(b)) {
    return (
      isTupleType(a) &&
      isTupleType(b) &&
      a.tuple.length === b.tuple.length &&
      a.tuple.every((t, i) => sameType(t, b.tuple[i]!))
    );
  }
  return a.dtype === b.dtype && sameShape(a.shape, b.shape);
}

/** Numpy broadcasting of two shapes, or undefined when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out[i] = da === 1 ? db : da;
  }
  return out;
}
