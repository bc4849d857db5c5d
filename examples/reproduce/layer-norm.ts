import type { GraphBuilder, Tensor } from '@spikeflow/core';

/**
 * Layer normalization over `axes` (default the last, feature, axis), with a learned per-feature gain (init 1) and
 * shift (init 0), as torch.nn.LayerNorm. It puts every step's charge on the neuron's threshold
 * scale without batch statistics, so training and held-out evaluation compute the same function.
 */
export function buildLayerNorm(b: GraphBuilder, x: Tensor, axes: readonly number[] = [-1], eps = 1e-5): Tensor {
  const features = x.shape[x.rank - 1]!;
  const centred = x.sub(x.mean(axes, true));
  const normalized = centred.mul(centred.mul(centred).mean(axes, true).add(eps).rsqrt());
  const gain = b.param('gain', [features], { kind: 'fill', value: 1 });
  const shift = b.param('shift', [features], { kind: 'fill', value: 0 });
  return normalized.mul(gain).add(shift);
}
