import { fail, formatShape, sameShape, type Tensor } from '@spikeflow/core';

/** Rejects targets that are neither class indices [B] nor a distribution [B, C] over the classes. */
function targetsOf(logits: Tensor, labels: Tensor, where: string): Tensor {
  const [batch, classes] = logits.shape as [number, number];
  if (labels.dtype === 'i32' || labels.dtype === 'u32') {
    if (!sameShape(labels.shape, [batch])) fail('shape', where, 'integer labels are one class index per sample', formatShape([batch]), formatShape(labels.shape));
    return labels.oneHot(classes);
  }
  if (!sameShape(labels.shape, logits.shape)) {
    fail('shape', where, 'float targets are one distribution over the classes per sample', formatShape(logits.shape), `${labels.dtype}${formatShape(labels.shape)}`);
  }
  return labels;
}

/** Options of `softmaxCrossEntropy`. */
export interface CrossEntropyOptions {
  /**
   * ε in [0, 1): the targets become (1 − ε)·y + ε/C (label smoothing, Szegedy et al., CVPR 2016;
   * PyTorch's `label_smoothing`), which keeps the network from driving its scores to certainty on
   * the training set. Default 0.
   */
  readonly labelSmoothing?: number;
}

/**
 * Softmax cross-entropy of logits [B, C] against class indices [B] (i32 or u32) or target
 * distributions [B, C], averaged over the batch: -mean_b sum_c y_bc log softmax(x_b)_c. The max
 * over classes is subtracted first (as a constant: stopGradient) so exp never overflows; the
 * softmax is invariant to it, so the gradient is unchanged. Class scores from a spiking network
 * come from `timeReadout` (spike counts, rates, or a membrane's max or mean over time).
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const b = logits.builder;
  const { labelSmoothing = 0 } = options;
  return b.scope('cross_entropy', () => {
    const where = b.path();
    if (logits.rank !== 2 || logits.dtype !== 'f32') fail('shape', where, 'logits are f32 class scores per sample', 'f32[B, C]', `${logits.dtype}${formatShape(logits.shape)}`);
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) fail('attr', `${where}.labelSmoothing`, 'the smoothing must leave weight on the true class', 'a number in [0, 1)', String(labelSmoothing));
    const exact = targetsOf(logits, labels, where);
    const classes = logits.shape[1]!;
    const targets = labelSmoothing === 0 ? exact : exact.mul(1 - labelSmoothing).add(labelSmoothing / classes);
    const shifted = logits.sub(logits.max(-1, true).stopGradient());
    const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
    return logProbs.mul(targets).sum().neg().div(logits.shape[0]!);
  });
}
