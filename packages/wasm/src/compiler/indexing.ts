import { sizeOf, stridesOf, type Shape } from '@spikeflow/core';
import { i32, type Expr } from '../module-builder/index.js';

/**
 * The linear index into a value of shape `inShape` broadcast (numpy rules, right-aligned) to
 * `shape`, at linear index `i` of `shape`. `i` is evaluated once per axis, so pass a local.
 */
export function broadcastIndex(i: () => Expr<'i32'>, shape: Shape, inShape: Shape): Expr<'i32'> {
  if (inShape.length === shape.length && inShape.every((d, k) => d === shape[k])) return i();
  if (sizeOf(inShape) === 1) return i32.const(0);
  const strides = stridesOf(shape);
  const inStrides = stridesOf(inShape);
  const offset = shape.length - inShape.length;
  let index: Expr<'i32'> | undefined;
  inShape.forEach((d, k) => {
    if (d === 1) return;
    const axis = k + offset;
    const coordinate = i32.rem_u(i32.div_u(i(), i32.const(strides[axis]!)), i32.const(shape[axis]!));
    const term = inStrides[k] === 1 ? coordinate : i32.mul(coordinate, i32.const(inStrides[k]!));
    index = index === undefined ? term : i32.add(index, term);
  });
  return index ?? i32.const(0);
}
