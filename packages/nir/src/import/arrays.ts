import { fail } from '@spikeflow/core';
import type { NirArray } from '../nir-graph.js';

/** A NIR array's elements rounded to f32 (the precision spikeflow computes in). */
export function toF32(a: NirArray): Float32Array {
  return a.dtype === 'float32' ? a.data : Float32Array.from(a.data);
}

/** The one value of an array whose elements are all equal, else undefined. */
export function uniformValue(values: ArrayLike<number>): number | undefined {
  if (values.length === 0) return undefined;
  const first = values[0]!;
  for (let i = 1; i < values.length; i++) if (values[i] !== first && !(Number.isNaN(first) && Number.isNaN(values[i]!))) return undefined;
  return first;
}

/** Rejects a NaN or infinite parameter, naming the node and field: no silent NaN. */
export function expectFinite(a: NirArray, where: string): void {
  for (let i = 0; i < a.data.length; i++) {
    if (!Number.isFinite(a.data[i]!)) fail('attr', where, 'a NIR parameter holds a non-finite value', 'finite numbers', `${a.data[i]} at element ${i}`);
  }
  const size = a.shape.reduce((p, d) => p * d, 1);
  if (size !== a.data.length) fail('attr', where, 'the array holds a different number of elements than its shape says', `${size}`, `${a.data.length}`);
}

/** A float32 NIR array of `shape` from values (rounded to f32). */
export function f32Array(shape: readonly number[], values: ArrayLike<number>): NirArray {
  return { dtype: 'float32', shape: [...shape], data: Float32Array.from(values) };
}

/** A float64 NIR array of `shape` filled with `value`. */
export function filled(shape: readonly number[], value: number): NirArray {
  const size = shape.reduce((p, d) => p * d, 1);
  return { dtype: 'float64', shape: [...shape], data: new Float64Array(size).fill(value) };
}

/** The next f32 above x (x itself a finite f32): `v > x` ⇔ `v ≥ nextUpF32(x)` for every f32 v. */
export function nextUpF32(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  if (f[0] === 0) {
    bits[0] = 1;
    return f[0]!;
  }
  bits[0] += f[0]! > 0 ? 1 : -1;
  return f[0]!;
}
