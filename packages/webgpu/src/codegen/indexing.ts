import { stridesOf, type Shape } from '@spikeflow/core';

/**
 * WGSL index arithmetic with static shapes baked in as constants. Every index is a u32 linear
 * row-major index; these helpers turn one into per-axis coordinates and back.
 */

/** Coordinate expressions of linear index `i` in `shape` (one per axis). */
export function coordinates(i: string, shape: Shape): string[] {
  const strides = stridesOf(shape);
  return shape.map((dim, axis) => {
    const q = strides[axis] === 1 ? i : `(${i} / ${strides[axis]}u)`;
    return axis === 0 ? q : `(${q} % ${dim}u)`;
  });
}

/** Linear index expression from coordinate expressions and strides (zero strides dropped). */
export function linearIndex(coords: readonly string[], strides: readonly number[]): string {
  const terms = coords.flatMap((c, axis) => (strides[axis] === 0 ? [] : [strides[axis] === 1 ? c : `${c} * ${strides[axis]}u`]));
  return terms.length === 0 ? '0u' : terms.join(' + ');
}

/** Index into `inShape` of the element that numpy broadcasting reads for index `i` of `outShape`. */
export function broadcastIndex(i: string, outShape: Shape, inShape: Shape): string {
  if (inShape.length === outShape.length && inShape.every((d, k) => d === outShape[k])) return i;
  if (inShape.every((d) => d === 1)) return '0u';
  const inStrides = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  const strides = outShape.map((_, axis) => {
    const k = axis - lead;
    return k < 0 || inShape[k] === 1 ? 0 : inStrides[k]!;
  });
  return linearIndex(coordinates(i, outShape), strides);
}
