import { fail, type Tensor } from '@spikeflow/core';

/**
 * Merges axes `startDim..endDim` (inclusive; negative counts from the end) into one, as
 * `torch.flatten`: `flatten([T, B, C, H, W], 2)` is `[T, B, C·H·W]`.
 */
export function flatten(x: Tensor, startDim = 1, endDim = -1): Tensor {
  const where = x.builder.path() || 'flatten';
  const norm = (d: number) => (d < 0 ? d + x.rank : d);
  const [start, end] = [norm(startDim), norm(endDim)];
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= x.rank || start > end) {
    fail('attr', where, `flatten's axes must satisfy 0 <= startDim <= endDim < rank (negative counts from the end)`, `axes of a rank-${x.rank} tensor`, `startDim ${startDim}, endDim ${endDim}`);
  }
  const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
  return x.reshape([...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}
