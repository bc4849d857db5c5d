import { fail, formatShape, type GraphBuilder, type Shape, type Tensor } from '@spikeflow/core';
import { TRAINING_INPUT } from '../mode-inputs.js';
import { RUNNING_MEAN, RUNNING_VAR } from '../running-stats.js';

/**
 * The normalisation shared by the batch-norm layers (tdBN, BNTT) over a time-major `[T, B, C, ...]`
 * input: x̂ = (x − μ) / √(σ² + ε), per statistic group.
 *
 * While training (the `training` mode input is 1), μ and σ² are the batch's (σ² biased, as PyTorch
 * normalises), and the running statistics, state leaves `runningMean` (init 0) and `runningVar`
 * (init 1), move towards them: r ← (1 − m)·r + m·s, with the unbiased variance n/(n − 1)·σ² as
 * PyTorch does. In evaluation (training = 0), μ and σ² are the running statistics, left unchanged.
 */
export interface NormGroups {
  /** The axes of x each statistic is taken over (the others index the statistic). */
  readonly axes: readonly number[];
  /** The shape the statistics are stored in, e.g. `[C]` or `[T, C]`. */
  readonly stored: Shape;
  readonly momentum: number;
  readonly eps: number;
}

/** Checks that x is time-major `[T, B, C, ...]` with `channels` channels on axis 2. */
export function expectChannels(b: GraphBuilder, x: Tensor, channels: number, kind: string): void {
  if (x.rank < 3) fail('shape', b.path(), `a ${kind} layer takes a time-major [T, B, C, ...] input`, 'rank >= 3', formatShape(x.shape));
  if (x.shape[2] !== channels) fail('shape', b.path(), `the input has the wrong number of channels for this ${kind} layer`, `[T, B, ${channels}, ...]`, formatShape(x.shape));
}

/** x̂ with batch statistics while training and running statistics in evaluation; updates the running statistics. */
export function normalize(b: GraphBuilder, x: Tensor, groups: NormGroups): Tensor {
  const count = groups.axes.reduce((n, axis) => n * x.shape[axis]!, 1);
  if (count < 2) fail('shape', b.path(), 'batch norm needs more than one value per statistic (the unbiased variance divides by n − 1)', '> 1 value per channel', formatShape(x.shape));
  // The statistics keep x's rank (size 1 on the reduced axes) so they broadcast against it.
  const statShape = x.shape.map((n, axis) => (groups.axes.includes(axis) ? 1 : n));
  // Only the training flag of the mode inputs (see mode-inputs.ts): nothing here is random.
  const training = b.sharedInput(TRAINING_INPUT, [], 'f32').greater(0);
  const mean = x.mean(groups.axes, true);
  const centred = x.sub(mean);
  const variance = centred.mul(centred).mean(groups.axes, true);
  const runningMean = b.state(RUNNING_MEAN, groups.stored, { kind: 'zeros' });
  const runningVar = b.state(RUNNING_VAR, groups.stored, { kind: 'ones' });
  const m = groups.momentum;
  const moved = (running: Tensor, batch: Tensor) => b.where(training, running.mul(1 - m).add(batch.stopGradient().reshape(groups.stored).mul(m)), running);
  b.setState(runningMean, moved(runningMean, mean));
  b.setState(runningVar, moved(runningVar, variance.mul(count / (count - 1))));
  const mu = b.where(training, mean, runningMean.reshape(statShape));
  const sigma2 = b.where(training, variance, runningVar.reshape(statShape));
  return x.sub(mu).mul(sigma2.add(groups.eps).rsqrt());
}

/** A per-statistic learnable vector `[...stored]` reshaped to broadcast over x (axes in `axes` get size 1). */
export function broadcastParam(p: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return p.reshape(x.shape.map((n, axis) => (axes.includes(axis) ? 1 : n)));
}
