import type { Shape, Tensor } from '@spikeflow/core';

/**
 * The VJP of numpy broadcasting: sums a cotangent of the broadcast shape back to `shape`
 * (over leading axes that `shape` lacks and over axes where it has 1).
 */
export function unbroadcast(cotangent: Tensor, shape: Shape): Tensor {
  const from = cotangent.shape;
  if (from.length === shape.length && from.every((d, i) => d === shape[i])) return cotangent;
  const lead = from.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && from[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? cotangent.sum(axes, true) : cotangent;
  return lead === 0 && summed.shape.every((d, i) => d === shape[i]) ? summed : summed.reshape(shape);
}
