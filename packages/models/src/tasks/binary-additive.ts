import { fail, type HostTensor } from '@spikeflow/core';
import { BatchWriter } from './batch-writer.js';
import { checkInt } from './options.js';
import { defineTask, type Task, type TaskBatch, type TaskInfo } from './task.js';

/**
 * The binary additive task (Pitis 2016, "Recurrent neural networks in TensorFlow I"; the "Add"
 * benchmark of Marschall, Cho & Savin 2020, "A unified framework of online learning algorithms for
 * training recurrent neural networks", JMLR), with lags t1 and t2 (defaults 5 and 9):
 *   x_t ~ Bernoulli(0.5),   y_t ~ Bernoulli(p_t),   p_t = 0.5 + 0.5·x_{t−t1} − 0.25·x_{t−t2}.
 * - inputs: 2 channels, one-hot [x_t, 1 − x_t] (as in Marschall et al.'s code);
 * - targets: the sampled y_t as class indices (2 classes), scored at every step t >= max(t1, t2),
 *   where both lagged inputs lie inside the episode (the reference runs one endless stream instead);
 * - `probabilities` [T, B, 2]: [1 − p_t, p_t] at the scored steps (0 elsewhere), the soft target
 *   whose cross-entropy is the expected loss over y, for low-variance evaluation.
 * The reference losses (`optimalLosses`, in nats per scored step): 0.662 for a model that knows no
 * input (it predicts the marginal P(y = 1) = 0.625), 0.519 for one that knows x_{t−t1}, 0.455 for
 * one that knows both, the optimum.
 */
export interface BinaryAdditiveOptions {
  readonly steps: number;
  readonly lag1: number;
  readonly lag2: number;
}

export interface BinaryAdditiveEpisode {
  /** x_t in {0, 1}, one per step. */
  readonly inputs: readonly number[];
  /** y_t in {0, 1} at the scored steps t >= max(lag1, lag2); −1 before. */
  readonly outcomes: readonly number[];
}

export interface BinaryAdditiveBatch extends TaskBatch {
  /** [T, B, 2] f32: [1 − p_t, p_t] at the scored steps, 0 elsewhere. */
  readonly probabilities: HostTensor;
}

/** Expected cross-entropy (nats per scored step) of the best model knowing nothing, x_{t−t1}, or both lags. */
export interface BinaryAdditiveLosses {
  readonly none: number;
  readonly first: number;
  readonly both: number;
}

export interface BinaryAdditiveTask extends Task<BinaryAdditiveEpisode> {
  encode(episodes: readonly BinaryAdditiveEpisode[]): BinaryAdditiveBatch;
  batch(batchSize: number, seed: number): BinaryAdditiveBatch;
  /** p_t = P(y_t = 1) given the episode's inputs, for a scored step t. */
  probability(inputs: readonly number[], t: number): number;
  optimalLosses(): BinaryAdditiveLosses;
}

/** P(y = 1 | x_{t−t1} = a, x_{t−t2} = c). */
const rule = (a: number, c: number): number => 0.5 + 0.5 * a - 0.25 * c;

/** The entropy of a Bernoulli(p) in nats, the best expected cross-entropy when P(y = 1) = p. */
function bernoulliEntropy(p: number): number {
  return -[p, 1 - p].reduce((h, q) => h + (q > 0 ? q * Math.log(q) : 0), 0);
}

function optimalLosses(): BinaryAdditiveLosses {
  // The two lagged inputs are independent fair coins: the four cases have probability 1/4 each.
  const mean = (values: readonly number[]) => values.reduce((a, v) => a + v, 0) / values.length;
  const given = (a: number) => mean([0, 1].map((c) => rule(a, c)));
  return {
    none: bernoulliEntropy(mean([0, 1].map(given))),
    first: mean([0, 1].map((a) => bernoulliEntropy(given(a)))),
    both: mean([0, 1].flatMap((a) => [0, 1].map((c) => bernoulliEntropy(rule(a, c))))),
  };
}

export function binaryAdditive(options: Partial<BinaryAdditiveOptions> = {}): BinaryAdditiveTask {
  const lag1 = checkInt('lag1', options.lag1 ?? 5, 1);
  const lag2 = checkInt('lag2', options.lag2 ?? 9, 1);
  if (lag1 === lag2) fail('spec', 'lag2', 'the two lags must differ', `a lag other than ${lag1}`, String(lag2));
  const first = Math.max(lag1, lag2);
  const steps = checkInt('steps', options.steps ?? 50, first + 1);
  const info: TaskInfo = {
    name: 'binary-additive',
    steps,
    inputSize: 2,
    target: 'class',
    outputSize: 2,
    chance: { metric: 'accuracy', value: 0.625, why: 'always answering 1, the likelier outcome: P(y = 1) = 0.5 + 0.5/2 − 0.25/2' },
  };
  const probability = (inputs: readonly number[], t: number): number => rule(inputs[t - lag1]!, inputs[t - lag2]!);

  const task = defineTask<BinaryAdditiveEpisode>(
    info,
    (rng) => {
      const inputs = Array.from({ length: steps }, () => rng.bernoulli(0.5));
      const outcomes = inputs.map((_, t) => (t < first ? -1 : rng.bernoulli(probability(inputs, t))));
      return { inputs, outcomes };
    },
    (episodes): BinaryAdditiveBatch => {
      const w = new BatchWriter(info, episodes.length, { labels: false });
      const probabilities = new Float32Array(steps * episodes.length * 2);
      episodes.forEach((episode, b) => {
        if (episode.inputs.length !== steps || episode.outcomes.length !== steps) {
          fail('feed', `episodes[${b}]`, 'an episode has one input and one outcome per step', `${steps} of each`, `${episode.inputs.length} inputs, ${episode.outcomes.length} outcomes`);
        }
        episode.inputs.forEach((x, t) => {
          checkInt(`episodes[${b}].inputs[${t}]`, x, 0, 1);
          w.x[w.at(t, b, x === 1 ? 0 : 1)] = 1;
          if (t < first) return;
          w.answerClass(t, t + 1, b, checkInt(`episodes[${b}].outcomes[${t}]`, episode.outcomes[t]!, 0, 1));
          const p = probability(episode.inputs, t);
          probabilities[(t * episodes.length + b) * 2] = 1 - p;
          probabilities[(t * episodes.length + b) * 2 + 1] = p;
        });
      });
      return { ...w.finish(), probabilities: { type: { shape: [steps, episodes.length, 2], dtype: 'f32' }, data: probabilities } };
    },
  );
  // defineTask hands encode's batches back unchanged, so they carry `probabilities`; only their type is widened.
  return { ...task, encode: (episodes) => task.encode(episodes) as BinaryAdditiveBatch, batch: (size, seed) => task.batch(size, seed) as BinaryAdditiveBatch, probability, optimalLosses };
}
