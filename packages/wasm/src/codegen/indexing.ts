import { sameShape, sizeOf, stridesOf, type Shape } from '@spikeflow/core';
import { i32, type Expr } from '../module-builder/index.js';

/**
 * Index arithmetic on i32 expressions (element counts fit in 31 bits: the memory is at most
 * 4 GiB of 4-byte elements). Coordinates are unsigned divisions and remainders by the
 * compile-time strides, skipped where a stride or size makes them trivial.
 */

/** The per-axis coordinates of linear index `i` in `shape` (row-major). */
export function coordinates(i: Expr<'i32'>, shape: Shape): Expr<'i32'>[] {
  const strides = stridesOf(shape);
  return shape.map((dim, k) => {
    if (dim === 1) return i32.const(0);
    const q = strides[k] === 1 ? i : i32.div_u(i, i32.const(strides[k]!));
    return k === 0 ? q : i32.rem_u(q, i32.const(dim));
  });
}

/** Σ coords[k]·stride[k] of `shape`. */
export function linearIndex(coords: readonly Expr<'i32'>[], shape: Shape): Expr<'i32'> {
  const strides = stridesOf(shape);
  let acc: Expr<'i32'> | undefined;
  coords.forEach((x, k) => {
    if (shape[k] === 1) return;
    const term = strides[k] === 1 ? x : i32.mul(x, i32.const(strides[k]!));
    acc = acc === undefined ? term : i32.add(acc, term);
  });
  return acc ?? i32.const(0);
}

/** The index into `inShape` (numpy-broadcast onto `outShape`) of output element `i`. */
export function broadcastIndex(i: Expr<'i32'>, outShape: Shape, inShape: Shape): Expr<'i32'> {
  if (sameShape(inShape, outShape)) return i;
  if (sizeOf(inShape) === 1) return i32.const(0);
  const lead = outShape.length - inShape.length;
  const out = coordinates(i, outShape);
  return linearIndex(inShape.map((d, k) => (d === 1 ? i32.const(0) : out[k + lead]!)), inShape);
}
