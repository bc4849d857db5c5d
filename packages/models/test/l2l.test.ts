import { SpikeflowError, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import {
  episodeParts,
  evaluateRandomFunction,
  familyVariance,
  l2lRegression,
  lossDrop,
  sampleRandomFunction,
  trialSquaredErrors,
  type RandomFunction,
} from '../src/l2l/index.js';
import { TaskRng } from '../src/tasks/task-rng.js';

describe('the random-function family', () => {
  it('evaluates a hand-written two-layer network', () => {
    // y = 0.3 + 2·tanh(0.5) − tanh(−2·0.5 + 0.5) = 0.3 + 3·tanh(0.5), tanh(0.5) = 0.46211715726
    const tanhNet: RandomFunction = { activation: 'tanh', w: [1, -2], b: [0, 0.5], v: [2, -1], c: 0.3 };
    expect(evaluateRandomFunction(tanhNet, 0.5)).toBeCloseTo(1.68635147178, 10);
    // y = −1 + 3·σ(2·1 − 1) = −1 + 3·0.73105857863
    const sigmoidNet: RandomFunction = { activation: 'sigmoid', w: [2], b: [-1], v: [3], c: -1 };
    expect(evaluateRandomFunction(sigmoidNet, 1)).toBeCloseTo(1.19317573589, 10);
  });

  it('draws w_j, b_j, v_j per unit then c, each uniform in its range, from the seeded generator', () => {
    const options = { hidden: 3, activation: 'tanh', hiddenRange: 2, outputRange: 0.5 } as const;
    const f = sampleRandomFunction(new TaskRng(7), options);
    const u = new TaskRng(7);
    const draw = (range: number) => (2 * u.uniform() - 1) * range;
    for (let j = 0; j < 3; j++) {
      expect(f.w[j]).toBe(draw(2));
      expect(f.b[j]).toBe(draw(2));
      expect(f.v[j]).toBe(draw(0.5));
    }
    expect(f.c).toBe(draw(0.5));
    expect(sampleRandomFunction(new TaskRng(8), options)).not.toEqual(f);
  });

  it('familyVariance: r²/3·(1 + H·act(0)²) when the hidden range is 0, and the Monte Carlo mean of f² otherwise', () => {
    expect(familyVariance({ hidden: 10, activation: 'tanh', hiddenRange: 0, outputRange: 1 })).toBeCloseTo(1 / 3, 12);
    expect(familyVariance({ hidden: 4, activation: 'sigmoid', hiddenRange: 0, outputRange: 3 })).toBeCloseTo(3 * (1 + 4 / 4), 12);
    const options = { hidden: 10, activation: 'tanh', hiddenRange: 2, outputRange: 1 } as const;
    const rng = new TaskRng(3);
    let sum = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) sum += evaluateRandomFunction(sampleRandomFunction(rng, options), 2 * rng.uniform() - 1) ** 2;
    // The sample mean's standard error is about 0.02 here.
    expect(familyVariance(options)).toBeCloseTo(sum / n, 1);
  });
});

describe('the learning-to-learn regression task', () => {
  // 3 trials of 4 steps, the last 2 scored; x on 2 channels (centres −1, 1), y on 3 (−2, 0, 2); σ = 2 for both.
  const task = l2lRegression({
    trials: 3,
    trialSteps: 4,
    scoredSteps: 2,
    xCode: { neurons: 2, low: -1, high: 1, width: 1 },
    yCode: { neurons: 3, low: -2, high: 2, width: 1 },
  });
  const f: RandomFunction = { activation: 'tanh', w: [1], b: [0], v: [1], c: 0 }; // y = tanh(x)
  const batch = task.encode([{ f, xs: [0.5, -1, 1] }]);
  const x = batch.inputs.x!;
  const g = (u: number, centre: number) => Math.exp(-0.5 * ((u - centre) / 2) ** 2);
  const rowAt = (t: number) => Array.from(x.data.subarray(t * 5, t * 5 + 5));

  it('holds x_k and y_(k−1), each Gaussian-tuned, over every step of trial k; no y on trial 0', () => {
    expect(x.type.shape).toEqual([12, 1, 5]);
    const [y0, y1] = [Math.tanh(0.5), Math.tanh(-1)];
    const expected = [
      [g(0.5, -1), g(0.5, 1), 0, 0, 0],
      [g(-1, -1), g(-1, 1), g(y0, -2), g(y0, 0), g(y0, 2)],
      [g(1, -1), g(1, 1), g(y1, -2), g(y1, 0), g(y1, 2)],
    ];
    for (let t = 0; t < 12; t++) {
      const got = rowAt(t);
      expected[Math.floor(t / 4)]!.forEach((v, i) => expect(got[i], `x[${t}, 0, ${i}]`).toBeCloseTo(v, 6));
    }
  });

  it('scores y_k = f(x_k) at the last 2 steps of trial k only', () => {
    expect(Array.from(batch.mask.data)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
    expect(batch.targets.type.shape).toEqual([12, 1, 1]);
    const y = [Math.tanh(0.5), Math.tanh(-1), Math.tanh(1)];
    const expected = [0, 0, y[0], y[0], 0, 0, y[1], y[1], 0, 0, y[2], y[2]];
    Array.from(batch.targets.data).forEach((v, t) => expect(v, `targets[${t}]`).toBeCloseTo(expected[t]!, 6));
  });

  it('is a pure function of its seed, and the info states its sizes and the family variance as chance', () => {
    const a = task.batch(4, 11);
    expect(Array.from(task.batch(4, 11).inputs.x!.data)).toEqual(Array.from(a.inputs.x!.data));
    expect(Array.from(task.batch(4, 12).targets.data)).not.toEqual(Array.from(a.targets.data));
    expect(task.info).toMatchObject({ steps: 12, inputSize: 5, target: 'value', outputSize: 1, chance: { metric: 'mse' } });
    expect(task.info.chance.value).toBeCloseTo(familyVariance(task.options.family), 12);
  });

  it('rejects bad options and episodes naming the field', () => {
    expect(() => l2lRegression({ trialSteps: 2, scoredSteps: 3 })).toThrow(SpikeflowError);
    expect(() => l2lRegression({ trialSteps: 2, scoredSteps: 3 })).toThrow(/scoredSteps/);
    expect(() => l2lRegression({ yCode: { neurons: 4, low: 1, high: 1, width: 1 } })).toThrow(/yCode/);
    expect(() => task.encode([{ f, xs: [0.5] }])).toThrow(/episodes\[0\]\.xs/);
    expect(() => task.encode([{ f, xs: [0.5, Number.NaN, 0] }])).toThrow(/episodes\[0\]\.xs\[1\]/);
  });
});

describe('per-trial errors', () => {
  it('sums (readout − y_k)² over the scored steps of each trial and the batch', () => {
    const o = { trials: 2, trialSteps: 3, scoredSteps: 2 };
    const task = l2lRegression({ ...o, xCode: { neurons: 2, low: -1, high: 1, width: 1 } });
    const f: RandomFunction = { activation: 'tanh', w: [0], b: [0], v: [0], c: 1 }; // y = 1 everywhere
    const batch = task.encode([
      { f, xs: [0, 0] },
      { f, xs: [0, 0] },
    ]);
    // readout [T = 6, B = 2, 1]: episode 0 answers 0 throughout, episode 1 answers 3 at step 5 and 1 elsewhere.
    const readout: HostTensor = { type: { shape: [6, 2, 1], dtype: 'f32' }, data: new Float32Array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 3]) };
    const { sums, count } = trialSquaredErrors(readout, batch, o);
    // trial 0 scores steps 1, 2: episode 0 errs by 1 twice; trial 1 scores steps 4, 5: episode 0 twice by 1, episode 1 once by 2.
    expect(Array.from(sums)).toEqual([2, 2 + 4]);
    expect(count).toBe(4);
  });

  it('episodeParts averages the first and last fifth; lossDrop compares the first and last windows', () => {
    const perTrial = [10, 8, 6, 4, 2, 1, 1, 1, 0.5, 0.5];
    expect(episodeParts(perTrial, 0.2)).toEqual({ first: 9, last: 0.5, trials: 2 });
    expect(lossDrop([4, 2, 3, 1, 1, 0.5], 2)).toEqual({ first: 3, last: 0.75, factor: 4 });
    expect(() => episodeParts(perTrial, 0.8)).toThrow(/fraction/);
    expect(() => lossDrop([1, 2, 3], 2)).toThrow(SpikeflowError);
  });
});
