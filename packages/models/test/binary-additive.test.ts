import { evaluate, initParams, leafName, toArray, trace, type Graph, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { adam, binaryAdditive, buildLinear, buildRecurrent, leakyIntegrator, linear, recurrent, softmaxCrossEntropy, trainingGraph } from '../src/index.js';
import { trainedState } from '../../../test/support/train-backend.js';
import { thrown } from './support/thrown.js';

/** The binary additive task: y_t ~ Bernoulli(0.5 + 0.5·x_{t−5} − 0.25·x_{t−9}). */

/** −[p ln p + (1 − p) ln(1 − p)], with 0 ln 0 = 0. */
const H = (p: number) => -(p > 0 ? p * Math.log(p) : 0) - (p < 1 ? (1 - p) * Math.log(1 - p) : 0);

describe('binary additive task', () => {
  it('P(y = 1 | x_{t−5}, x_{t−9}) over many samples is 0.5, 0.25, 1, 0.75 within binomial error', () => {
    const task = binaryAdditive();
    const { steps: T } = task.info;
    const B = 400;
    const batch = task.batch(B, 3);
    const x = toArray(batch.inputs.x!);
    const y = toArray(batch.targets);
    const mask = toArray(batch.mask);
    const p = toArray(batch.probabilities);
    const xAt = (t: number, b: number) => x[(t * B + b) * 2]!;
    const ones = [0, 0, 0, 0];
    const counts = [0, 0, 0, 0];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        expect(x[(t * B + b) * 2]! + x[(t * B + b) * 2 + 1]!).toBe(1); // one-hot [x, 1 − x]
        expect(mask[t * B + b]).toBe(t >= 9 ? 1 : 0);
        if (t < 9) continue;
        const cell = 2 * xAt(t - 5, b) + xAt(t - 9, b);
        counts[cell]!++;
        ones[cell]! += y[t * B + b]!;
        // The soft target is [1 − p, p] with p from the formula.
        const want = [0.5, 0.25, 1, 0.75][cell]!;
        expect([p[(t * B + b) * 2], p[(t * B + b) * 2 + 1]]).toEqual([1 - want, want]);
      }
    }
    // (x_{t−5}, x_{t−9}) = (0, 0), (0, 1), (1, 0), (1, 1): 0.5, 0.5 − 0.25, 0.5 + 0.5, 0.5 + 0.5 − 0.25.
    [0.5, 0.25, 1, 0.75].forEach((want, cell) => {
      const n = counts[cell]!;
      expect(n).toBeGreaterThan(3000);
      const sigma = Math.sqrt((want * (1 - want)) / n);
      expect(Math.abs(ones[cell]! / n - want), `cell ${cell}`).toBeLessThanOrEqual(4 * sigma + 1e-12);
    });
    // x itself is a fair coin.
    const xMean = x.filter((_, i) => i % 2 === 0).reduce((a, v) => a + v, 0) / (T * B);
    expect(Math.abs(xMean - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / (T * B)));
  });

  it('an episode written by hand gets the targets and probabilities of the definition; other lags move them', () => {
    const task = binaryAdditive({ steps: 6, lag1: 1, lag2: 3 });
    const inputs = [1, 0, 0, 1, 1, 0];
    const batch = task.encode([{ inputs, outcomes: [-1, -1, -1, 0, 1, 1] }]);
    expect(toArray(batch.mask)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(toArray(batch.targets)).toEqual([0, 0, 0, 0, 1, 1]);
    // t = 3: x2 = 0, x0 = 1 -> 0.25; t = 4: x3 = 1, x1 = 0 -> 1; t = 5: x4 = 1, x2 = 0 -> 1.
    expect(toArray(batch.probabilities)).toEqual([0, 0, 0, 0, 0, 0, 0.75, 0.25, 0, 1, 0, 1]);
    expect([3, 4, 5].map((t) => task.probability(inputs, t))).toEqual([0.25, 1, 1]);
  });

  it('optimalLosses are the entropies of the mixtures: 0.662, 0.519, 0.455 nats', () => {
    const none = H(0.625); // P(y = 1) = (0.5 + 0.25 + 1 + 0.75) / 4
    const first = (H(0.375) + H(0.875)) / 2; // x_{t−5} = 0: (0.5 + 0.25)/2; = 1: (1 + 0.75)/2
    const both = (H(0.5) + H(0.25) + H(1) + H(0.75)) / 4;
    // The values quoted by Marschall et al. (both: 0.45439..., quoted as 0.455).
    [none, first, both].forEach((v, i) => expect(Math.abs(v - [0.662, 0.519, 0.455][i]!)).toBeLessThan(1e-3));
    const got = binaryAdditive().optimalLosses();
    expect(Math.abs(got.none - none)).toBeLessThan(1e-3);
    expect(Math.abs(got.first - first)).toBeLessThan(1e-3);
    expect(Math.abs(got.both - both)).toBeLessThan(1e-3);
    expect(binaryAdditive().info.chance.value).toBe(0.625);
  });

  it('rejects bad options and episodes by field', () => {
    expect(thrown(() => binaryAdditive({ lag1: 4, lag2: 4 })).where).toBe('lag2');
    expect(thrown(() => binaryAdditive({ steps: 9 })).where).toBe('steps');
    expect(thrown(() => binaryAdditive({ lag1: 0 })).where).toBe('lag1');
    const task = binaryAdditive({ steps: 4, lag1: 1, lag2: 2 });
    expect(thrown(() => task.encode([{ inputs: [0, 1, 2, 0], outcomes: [-1, -1, 0, 0] }])).where).toBe('episodes[0].inputs[2]');
    expect(thrown(() => task.encode([{ inputs: [0, 1, 1, 0], outcomes: [-1, -1, 0, 3] }])).where).toBe('episodes[0].outcomes[3]');
    expect(thrown(() => task.encode([{ inputs: [0, 1], outcomes: [-1, -1] }])).where).toBe('episodes[0]');
  });
});

describe('binary additive task: learning', () => {
  it('a recurrent layer of leaky integrators trained by BPTT gets below 0.60 held-out loss (knowing nothing: 0.662) in 300 Adam steps', async () => {
    const task = binaryAdditive({ steps: 24 });
    const { steps: T, inputSize: I, outputSize: C } = task.info;
    const [B, N, STEPS] = [32, 32, 300];
    // A rate (non-spiking) recurrent layer: a recurrent LIF layer also gets there (0.590 after 300
    // steps with tau 2, 0.591 after 500 with 40 neurons) but too slowly for a test.
    // Cross-entropy per scored step against [T·B, 2] soft targets (zero rows where unscored), so
    // the library's mean over all T·B rows is rescaled to a mean over the scored ones.
    const scored = T - 9;
    const model = trace((b) => {
      const x = b.input('x', [T, B, I]);
      const spikes = b.scope('rnn', () => buildRecurrent(b, x, recurrent(I, N, leakyIntegrator(), { initScale: 3 })));
      const logits = b.scope('out', () => buildLinear(b, spikes, linear(N, C, { bias: true })));
      const loss = softmaxCrossEntropy(logits.reshape([T * B, C]), b.input('targets', [T * B, C])).mul(T / scored);
      return { loss };
    });
    const oneHot = (batch: ReturnType<typeof task.batch>): HostTensor => {
      const y = toArray(batch.targets);
      const m = toArray(batch.mask);
      return { type: { shape: [T * B, C], dtype: 'f32' }, data: Float32Array.from({ length: T * B * C }, (_, i) => (m[i >> 1]! === 1 && y[i >> 1] === (i & 1) ? 1 : 0)) };
    };
    // Trained on sampled outcomes; evaluated against the probabilities (the expected loss over y).
    const trainFeeds = (seed: number) => {
      const batch = task.batch(B, seed);
      return { x: batch.inputs.x!, targets: oneHot(batch) };
    };
    const heldOut = task.batch(B, 99_999);
    const heldOutFeeds = { x: heldOut.inputs.x!, targets: { type: { shape: [T * B, C], dtype: 'f32' }, data: heldOut.probabilities.data } as HostTensor };
    const names = (g: Graph) => g.params.map((id) => leafName(g.nodes[id]!));
    const lossWith = (params: Readonly<Record<string, HostTensor>>) => toArray(evaluate(model, { inputs: heldOutFeeds, params }).outputs.loss!)[0]!;
    // Trained on the default backend (it starts from the params initParams gives for the seed);
    // the held-out losses are evaluated on the CPU interpreter.
    const seed = 1;
    const started = performance.now();
    const trained = await trainedState(trainingGraph(model, { loss: 'loss', optimizer: adam() }), { seed, steps: STEPS, feeds: (k) => ({ ...trainFeeds(k), lr: 0.05 }), names: names(model) });
    const [before, after] = [lossWith(initParams(model, { seed })), lossWith(trained)];
    console.log(`recurrent leaky integrators on binary additive: held-out loss ${before.toFixed(3)} -> ${after.toFixed(3)} in ${STEPS} Adam steps of ${B}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(before).toBeGreaterThan(0.62);
    expect(after).toBeLessThan(0.6);
  });
});
