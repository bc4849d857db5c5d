import { sameShape, type ReduceAttrs, type ReduceOp, type Shape, type Tensor } from '@spikeflow/core';
import type { VjpTable } from '../vjp-types.js';

/**
 * Reductions send the cotangent back along the reduced axes: sum copies it to every element,
 * mean copies it divided by the element count, max gives it to the maxima.
 */

/** The reduced axes, non-negative (a JSON graph may carry negative ones). */
function reducedAxes(attrs: ReduceAttrs, rank: number): number[] {
  return attrs.axes.map((a) => (a < 0 ? a + rank : a));
}

/** The output's shape under keepDims: the input's with the reduced axes set to 1. */
function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, axis) => (axes.includes(axis) ? 1 : d));
}

/** A reduction's output (or its cotangent) with the reduced axes restored as length 1. */
function kept(t: Tensor, x: Tensor, attrs: ReduceAttrs): Tensor {
  const shape = keptShape(x.shape, reducedAxes(attrs, x.rank));
  return sameShape(t.shape, shape) ? t : t.reshape(shape);
}

/** The kept-dims cotangent copied to every element of x. */
function spread(cot: Tensor, x: Tensor): Tensor {
  return sameShape(cot.shape, x.shape) ? cot : cot.broadcastTo(x.shape);
}

export const reduceVjp: VjpTable<ReduceOp> = {
  sum: ({ inputs, attrs, cotangent }) => [spread(kept(cotangent, inputs[0]!, attrs), inputs[0]!)],
  mean: ({ inputs, attrs, cotangent }) => {
    const x = inputs[0]!;
    const count = reducedAxes(attrs, x.rank).reduce((n, axis) => n * x.shape[axis]!, 1);
    return [spread(kept(cotangent, x, attrs).div(count), x)];
  },
  /**
   * Every element equal to its group's maximum shares the cotangent evenly (each gets 1/ties),
   * as in JAX and TensorFlow, so the gradient is symmetric in tied inputs and sums to the
   * cotangent. A NaN maximum equals nothing, so a group containing NaN gets no gradient.
   */
  max: ({ b, inputs, attrs, output, cotangent }) => {
    const x = inputs[0]!;
    const axes = reducedAxes(attrs, x.rank);
    const isMax = x.equal(kept(output, x, attrs));
    const ties = b.where(isMax, 1, 0).sum(axes, true);
    return [b.where(isMax, kept(cotangent, x, attrs).div(ties), 0)];
  },
};
