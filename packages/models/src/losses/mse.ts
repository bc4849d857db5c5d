import { fail, formatShape, sameShape, type Tensor } from '@spikeflow/core';

/** Mean squared error over every element, mean((pred - target)^2); the shapes must agree exactly. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  const b = pred.builder;
  return b.scope('mse', () => {
    // Broadcasting would silently average over a wrong, larger shape.
    if (!sameShape(pred.shape, target.shape)) fail('shape', b.path(), 'prediction and target shapes differ', formatShape(pred.shape), formatShape(target.shape));
    const d = pred.sub(target);
    return d.mul(d).mean();
  });
}
