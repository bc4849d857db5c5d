import { sizeOf, stridesOf, type Shape } from '@spikeflow/core';
import { quotient, remainder } from './fast-division.js';
import type { KernelSizes } from './kernel-source.js';

/**
 * WGSL index arithmetic over row-major shapes whose extents and strides are read from the
 * kernel's size table (see KernelSizes). Every index is a u32 linear row-major index; these
 * helpers turn one into per-axis coordinates and back. What the code does may depend on which
 * extents are 1 (a broadcast axis, a stride of 1): that is part of a kernel's shape class.
 * Divisions by table sizes multiply by a reciprocal from the table (codegen/fast-division.ts).
 */

/** Coordinate expressions of linear index `i` in `shape` (one per axis). */
export function coordinates(i: string, shape: Shape, sizes: KernelSizes): string[] {
  const strides = stridesOf(shape);
  const elements = sizeOf(shape);
  return shape.map((dim, axis) => {
    const q = strides[axis] === 1 ? i : quotient(i, strides[axis]!, sizes, elements);
    return axis === 0 ? q : remainder(q, dim, sizes, elements);
  });
}

/** Linear index expression from coordinate expressions and strides (zero strides dropped, unit strides need no product). */
export function linearIndex(coords: readonly string[], strides: readonly number[], sizes: KernelSizes): string {
  const terms = coords.flatMap((c, axis) => (strides[axis] === 0 ? [] : [strides[axis] === 1 ? c : `${c} * ${sizes.of(strides[axis]!)}`]));
  return terms.length === 0 ? '0u' : terms.join(' + ');
}

/** Index into `inShape` of the element that numpy broadcasting reads for index `i` of `outShape`. */
export function broadcastIndex(i: string, outShape: Shape, inShape: Shape, sizes: KernelSizes): string {
  if (inShape.length === outShape.length && inShape.every((d, k) => d === outShape[k])) return i;
  if (inShape.every((d) => d === 1)) return '0u';
  const inStrides = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  const strides = outShape.map((_, axis) => {
    const k = axis - lead;
    return k < 0 || inShape[k] === 1 ? 0 : inStrides[k]!;
  });
  // Only the innermost axes that the input has: the leading broadcast ones need no coordinate.
  const first = strides.findIndex((s) => s !== 0);
  if (strides.slice(first).every((s) => s !== 0) && first > 0) {
    // A trailing-axes broadcast (a bias [N] over [B, N]): the index is i modulo the input's size.
    const within = inShape.slice(inShape.length - (outShape.length - first)).reduce((a, b) => a * b, 1);
    return remainder(i, within, sizes, sizeOf(outShape));
  }
  return linearIndex(coordinates(i, outShape, sizes), strides, sizes);
}
