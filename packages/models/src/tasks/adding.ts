import { fail } from '@spikeflow/core';
import { BatchWriter } from './batch-writer.js';
import { checkInt } from './options.js';
import { defineTask, type Task, type TaskInfo } from './task.js';

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, "Long short-term memory", experiment 4),
 * in the fixed-length form now standard (Le, Jaitly & Hinton 2015; Arjovsky, Shah & Bengio 2016):
 * - input channel 0: T values drawn uniformly from [0, 1);
 * - input channel 1: markers, 1 at exactly two steps, one drawn uniformly from [0, ⌊T/2⌋) and one
 *   from [⌊T/2⌋, T), 0 elsewhere;
 * - target: the sum of the two marked values, scored at the last step only.
 * The 1997 original differs: values in [−1, 1], lengths T..1.1T, the first marker among the first
 * ten steps, and target 0.5 + (X1 + X2)/4.
 * Baseline: always answering 1 (the mean) has MSE Var(X1 + X2) = 2/12 = 1/6 ≈ 0.167.
 * Inputs are real values, not spikes. Default T = 50.
 */
export interface AddingOptions {
  readonly steps: number;
}

export interface AddingEpisode {
  /** One value per step. */
  readonly values: readonly number[];
  /** The two marked steps, first < ⌊T/2⌋ <= second. */
  readonly marked: readonly [number, number];
}

export function addingProblem(options: Partial<AddingOptions> = {}): Task<AddingEpisode> {
  const steps = checkInt('steps', options.steps ?? 50, 2);
  const half = Math.floor(steps / 2);
  const info: TaskInfo = {
    name: 'adding',
    steps,
    inputSize: 2,
    target: 'value',
    outputSize: 1,
    chance: { metric: 'mse', value: 1 / 6, why: 'answering the mean 1 errs by Var(X1 + X2) = 2 · 1/12' },
  };

  return defineTask(
    info,
    (rng) => ({
      values: Array.from({ length: steps }, () => rng.uniform()),
      marked: [rng.int(half), half + rng.int(steps - half)],
    }),
    (episodes) => {
      const w = new BatchWriter(info, episodes.length, { labels: false });
      episodes.forEach((episode, b) => {
        const [first, second] = episode.marked;
        if (episode.values.length !== steps) fail('feed', `episodes[${b}].values`, 'one value per step', `${steps} values`, `${episode.values.length}`);
        checkInt(`episodes[${b}].marked[0]`, first, 0, half - 1);
        checkInt(`episodes[${b}].marked[1]`, second, half, steps - 1);
        episode.values.forEach((v, t) => (w.x[w.at(t, b, 0)] = v));
        w.x[w.at(first, b, 1)] = 1;
        w.x[w.at(second, b, 1)] = 1;
        w.answerValues(steps - 1, steps, b, [episode.values[first]! + episode.values[second]!]);
      });
      return w.finish();
    },
  );
}
