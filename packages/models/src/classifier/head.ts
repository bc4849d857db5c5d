import { z } from 'zod';
import type { Tensor } from '@spikeflow/core';
import { softmaxCrossEntropy } from '../losses/cross-entropy.js';
import { mse } from '../losses/mse.js';
import { TIME_READOUTS, timeReadout } from '../losses/readout.js';
import { checkSpec } from '../spec/validate-spec.js';

/**
 * A classifier head, declared as data: how a network's time-major output [T, B, C] becomes class
 * scores [B, C] (`readout`), and how the scores are scored against labels [B] (`loss`).
 */
const schema = z.strictObject({
  /** Spike `count` or `rate`, or a membrane's `max`, `mean` or `last` value over time (see `timeReadout`). */
  readout: z.enum(TIME_READOUTS).default('count'),
  /**
   * `crossEntropy`: softmax cross-entropy of the scores; `mse`: mean squared error between the
   * scores and the one-hot labels (with a `rate` readout, SpikingJelly's firing-rate loss).
   */
  loss: z.enum(['crossEntropy', 'mse']).default('crossEntropy'),
  /** ε in [0, 1): the targets become (1 − ε)·onehot + ε/C. */
  labelSmoothing: z.number().min(0, 'labelSmoothing must be in [0, 1)').lt(1, 'labelSmoothing must be in [0, 1)').default(0),
});

export type ClassifierHead = Readonly<z.output<typeof schema>>;

/** A head spec with defaults (spike counts, cross-entropy, no smoothing); unknown fields are rejected by name. */
export function classifierHead(options: Partial<ClassifierHead> = {}): ClassifierHead {
  return checkSpec(schema, options, 'classifierHead');
}

/** The head's outputs: the class scores [B, C] and the loss (a scalar); a record, so `trace` can return it as the graph's outputs. */
export type ClassifierOutputs = {
  readonly scores: Tensor;
  readonly loss: Tensor;
};

/** The class scores [B, C] of a time-major output [T, B, C]. */
export function classifierScores(output: Tensor, head: ClassifierHead): Tensor {
  return timeReadout(output, head.readout);
}

/** The loss of scores [B, C] against class indices [B] (i32). */
export function classifierLoss(scores: Tensor, labels: Tensor, head: ClassifierHead): Tensor {
  if (head.loss === 'crossEntropy') return softmaxCrossEntropy(scores, labels, { labelSmoothing: head.labelSmoothing });
  const classes = scores.shape[scores.rank - 1]!;
  const onehot = labels.oneHot(classes);
  const eps = head.labelSmoothing;
  return mse(scores, eps === 0 ? onehot : onehot.mul(1 - eps).add(eps / classes));
}

/** The head on a time-major output [T, B, C] and labels [B]: scores and loss. */
export function applyClassifierHead(output: Tensor, labels: Tensor, head: ClassifierHead): ClassifierOutputs {
  const scores = classifierScores(output, head);
  return { scores, loss: classifierLoss(scores, labels, head) };
}
