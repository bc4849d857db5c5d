import { fail, toArray, type HostTensor } from '@spikeflow/core';
import type { TaskBatch } from '../tasks/task.js';
import { firstScoredStep, type L2lRegressionOptions } from './regression-task.js';

/**
 * Squared error of each trial summed over a batch: entry k is Σ over episodes and the scored steps
 * of trial k of (readout − y_k)². Divide by `count` (episodes × scoredSteps) for the trial's MSE.
 */
export function trialSquaredErrors(readout: HostTensor, batch: TaskBatch, o: Pick<L2lRegressionOptions, 'trials' | 'trialSteps' | 'scoredSteps'>): { sums: Float64Array; count: number } {
  const [steps, size] = batch.targets.type.shape as [number, number, number];
  if (readout.type.shape.join() !== batch.targets.type.shape.join()) fail('shape', 'readout', 'the readout must have the targets\' shape', `[${batch.targets.type.shape.join(', ')}]`, `[${readout.type.shape.join(', ')}]`);
  if (steps !== o.trials * o.trialSteps) fail('shape', 'readout', 'one step per trial step', String(o.trials * o.trialSteps), String(steps));
  const [y, target] = [toArray(readout), toArray(batch.targets)];
  const sums = new Float64Array(o.trials);
  for (let k = 0; k < o.trials; k++) {
    for (let t = firstScoredStep(o, k); t < (k + 1) * o.trialSteps; t++) {
      for (let b = 0; b < size; b++) sums[k] += (y[t * size + b]! - target[t * size + b]!) ** 2;
    }
  }
  return { sums, count: size * o.scoredSteps };
}

/**
 * The mean of `perTrial` over its first and its last `fraction` of trials (at least one trial
 * each): how much the network improved within an episode.
 */
export function episodeParts(perTrial: readonly number[], fraction: number): { first: number; last: number; trials: number } {
  if (!(fraction > 0 && fraction <= 0.5)) fail('attr', 'fraction', 'a part of an episode is at most half of it', 'a number in (0, 0.5]', String(fraction));
  const trials = Math.max(1, Math.round(perTrial.length * fraction));
  const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  return { first: mean(perTrial.slice(0, trials)), last: mean(perTrial.slice(perTrial.length - trials)), trials };
}
