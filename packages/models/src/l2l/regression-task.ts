import { fail } from '@spikeflow/core';
import { BatchWriter } from '../tasks/batch-writer.js';
import { checkInt, checkUnit, withDefaults } from '../tasks/options.js';
import { defineTask, type Task, type TaskInfo } from '../tasks/task.js';
import { checkRandomFunctionOptions, DEFAULT_RANDOM_FUNCTION, evaluateRandomFunction, familyVariance, sampleRandomFunction, type RandomFunction, type RandomFunctionOptions } from './random-function.js';

/**
 * Gaussian tuning of one value onto `neurons` analog input channels: channel j carries
 * exp(−(u − μ_j)²/(2σ²)), μ_j = low + j·Δ evenly spaced, σ = width·Δ (as `populationEncode`, but on
 * the host, since the task writes its batch there).
 */
export interface TuningCode {
  readonly neurons: number;
  readonly low: number;
  readonly high: number;
  readonly width: number;
}

/**
 * Supervised learning-to-learn of the random-function family (Bellec et al. 2018): an episode is
 * one function f drawn from the family and `trials` inputs x_k ~ U[−1, 1]. Trial k lasts
 * `trialSteps` steps; during all of them the network sees x_k and the previous trial's target
 * y_{k−1} = f(x_{k−1}) (no y on trial 0), each Gaussian-tuned onto its own channels, and it must
 * answer y_k = f(x_k) during the trial's last `scoredSteps` steps. The function stays the same for
 * the whole episode, so the answers can only improve through what the network keeps of the
 * pairs it was shown.
 *
 * Layout: x [T, B, xCode.neurons + yCode.neurons] with T = trials·trialSteps, x's channels first;
 * targets [T, B, 1]; mask 1 at steps k·trialSteps + trialSteps − scoredSteps ... (k+1)·trialSteps − 1.
 */
export interface L2lRegressionOptions {
  readonly trials: number;
  readonly trialSteps: number;
  readonly scoredSteps: number;
  readonly xCode: TuningCode;
  readonly yCode: TuningCode;
  readonly family: RandomFunctionOptions;
}

export const DEFAULT_L2L_REGRESSION: L2lRegressionOptions = {
  trials: 40,
  trialSteps: 6,
  scoredSteps: 3,
  xCode: { neurons: 10, low: -1, high: 1, width: 1 },
  yCode: { neurons: 12, low: -4, high: 4, width: 1 },
  family: DEFAULT_RANDOM_FUNCTION,
};

export interface L2lRegressionEpisode {
  readonly f: RandomFunction;
  /** x_k of every trial. */
  readonly xs: readonly number[];
}

function checkCode(where: string, code: TuningCode): TuningCode {
  checkInt(`${where}.neurons`, code.neurons, 2, 4096);
  if (!Number.isFinite(code.low) || !Number.isFinite(code.high) || !(code.low < code.high)) fail('spec', where, 'a tuning range needs finite low < high', 'low < high', `[${code.low}, ${code.high}]`);
  checkUnit(`${where}.width`, code.width, 1e-3, 1e3);
  return code;
}

/** Writes the tuning activities of `u` into `out` from `offset`. */
export function tune(code: TuningCode, u: number, out: Float32Array, offset: number): void {
  const spacing = (code.high - code.low) / (code.neurons - 1);
  const sigma = code.width * spacing;
  for (let j = 0; j < code.neurons; j++) {
    const z = (u - (code.low + j * spacing)) / sigma;
    out[offset + j] = Math.exp(-0.5 * z * z);
  }
}

export function checkL2lRegressionOptions(options: Partial<L2lRegressionOptions>): L2lRegressionOptions {
  const o = withDefaults(DEFAULT_L2L_REGRESSION, options);
  checkInt('trials', o.trials, 1, 100_000);
  checkInt('trialSteps', o.trialSteps, 1, 100_000);
  checkInt('scoredSteps', o.scoredSteps, 1, o.trialSteps);
  checkCode('xCode', o.xCode);
  checkCode('yCode', o.yCode);
  checkRandomFunctionOptions('family', o.family);
  return o;
}

/** The first step of trial k that is scored. */
export const firstScoredStep = (o: Pick<L2lRegressionOptions, 'trialSteps' | 'scoredSteps'>, trial: number) => trial * o.trialSteps + o.trialSteps - o.scoredSteps;

export function l2lRegression(options: Partial<L2lRegressionOptions> = {}): Task<L2lRegressionEpisode> & { readonly options: L2lRegressionOptions } {
  const o = checkL2lRegressionOptions(options);
  const nx = o.xCode.neurons;
  const info: TaskInfo = {
    name: 'l2l-regression',
    steps: o.trials * o.trialSteps,
    inputSize: nx + o.yCode.neurons,
    target: 'value',
    outputSize: 1,
    chance: { metric: 'mse', value: familyVariance(o.family), why: 'answering 0, the family mean, errs by E[f(x)²] over the family' },
  };
  const task = defineTask<L2lRegressionEpisode>(
    info,
    (rng) => {
      const f = sampleRandomFunction(rng, o.family);
      return { f, xs: Array.from({ length: o.trials }, () => 2 * rng.uniform() - 1) };
    },
    (episodes) => {
      const w = new BatchWriter(info, episodes.length, { labels: false });
      const features = new Float32Array(info.inputSize);
      episodes.forEach((episode, b) => {
        if (episode.xs.length !== o.trials) fail('feed', `episodes[${b}].xs`, 'one x per trial', `${o.trials} values`, String(episode.xs.length));
        let previous: number | undefined;
        episode.xs.forEach((x, k) => {
          if (!Number.isFinite(x)) fail('feed', `episodes[${b}].xs[${k}]`, 'x must be finite', 'a finite number', String(x));
          features.fill(0);
          tune(o.xCode, x, features, 0);
          if (previous !== undefined) tune(o.yCode, previous, features, nx);
          for (let f = 0; f < info.inputSize; f++) w.hold(k * o.trialSteps, (k + 1) * o.trialSteps, b, f, features[f]!);
          const y = evaluateRandomFunction(episode.f, x);
          w.answerValues(firstScoredStep(o, k), (k + 1) * o.trialSteps, b, [y]);
          previous = y;
        });
      });
      return w.finish();
    },
  );
  return { ...task, options: o };
}
