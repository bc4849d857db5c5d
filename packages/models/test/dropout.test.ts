// Dropout with SpikingJelly's multi-step semantics: statistics of the mask against the binomial
// law, the scaling, the mask shared over time, the mode inputs, the gradient, and the trainer
// feeding the mode inputs (and resuming a checkpoint bit for bit).
import { grad } from '@spikeflow/autodiff';
import { cpuBackend, evaluate, GraphBuilder, initParams, SpikeflowError, tensor, toArray, trace, type Graph, nodeAs } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import {
  adam,
  buildDropout,
  buildLinear,
  buildSequential,
  dropout,
  evaluationFeeds,
  linear,
  RANDOM_STEP_INPUT,
  sequential,
  sgd,
  standardLayers,
  TRAINING_INPUT,
  trainingFeeds,
  type DropoutSpec,
} from '../src/index.js';
import { mse } from '../src/losses/index.js';
import { minibatches, train, type TrainerOptions } from '../src/trainer/index.js';
import { testData } from '../../../test/support/test-data.js';
import { expectResumeIdentity } from './support/resume-identity.js';

const [T, B, F] = [4, 64, 256];
const X_SHAPE = [T, B, F];
/** Never 0, so a 0 in the output marks a dropped element. */
const X = testData(1, T * B * F, 0.5, 1.5);

/** Dropout layers applied to the same x, each in its own scope (`drop0`, `drop1`, ...): outputs y0, y1, .... */
function dropoutGraph(specs: readonly DropoutSpec[], shape: readonly number[] = X_SHAPE): Graph {
  return trace((b) => {
    const x = b.input('x', shape);
    return Object.fromEntries(specs.map((spec, i) => [`y${i}`, b.scope(`drop${i}`, () => buildDropout(b, x, spec))]));
  });
}

function run(g: Graph, training: number, randomStep: number, x: readonly number[] = X): Record<string, number[]> {
  const out = evaluate(g, { inputs: { x: [...x], [TRAINING_INPUT]: training, [RANDOM_STEP_INPUT]: randomStep } }).outputs;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, toArray(v)]));
}

/** Step t's keep pattern (1 kept, 0 dropped) of an output over X_SHAPE. */
const keptAt = (y: readonly number[], t: number) => y.slice(t * B * F, (t + 1) * B * F).map((v) => Number(v !== 0));
const fraction = (bits: readonly number[]) => bits.reduce((a, v) => a + v, 0) / bits.length;
const disagreement = (a: readonly number[], b: readonly number[]) => a.filter((v, k) => v !== b[k]).length / a.length;
/** Five standard deviations of the mean of n Bernoulli(q) draws: a false alarm has odds below 1e-6. */
const binomialBound = (q: number, n: number) => 5 * Math.sqrt((q * (1 - q)) / n);

describe('dropout in training mode', () => {
  const p = 0.3;

  it('keeps a binomial fraction 1 − p of each sample and feature, scaled by 1/(1 − p), one mask for all T steps', () => {
    const y = run(dropoutGraph([dropout(p)]), 1, 7).y0!;
    const mask = keptAt(y, 0);
    expect(Math.abs(fraction(mask) - (1 - p))).toBeLessThan(binomialBound(1 - p, B * F));
    for (let t = 1; t < T; t++) expect(keptAt(y, t), `step ${t}`).toEqual(mask);
    let worst = 0;
    y.forEach((v, k) => {
      if (v === 0) return;
      worst = Math.max(worst, Math.abs(v - X[k]! / (1 - p)) / (X[k]! / (1 - p)));
    });
    expect(worst).toBeLessThan(1e-6); // f32 rounding of x and of the scale
  });

  it('draws a new mask for another randomStep and another layer (new, independent draws), the same one for the same seed', () => {
    const independent = 2 * p * (1 - p); // P(two independent draws disagree)
    const g = dropoutGraph([dropout(p), dropout(p)]);
    const [a, b] = [run(g, 1, 1), run(g, 1, 2)];
    expect(Math.abs(disagreement(keptAt(a.y0!, 0), keptAt(b.y0!, 0)) - independent)).toBeLessThan(binomialBound(independent, B * F));
    expect(Math.abs(disagreement(keptAt(a.y0!, 0), keptAt(a.y1!, 0)) - independent)).toBeLessThan(binomialBound(independent, B * F));
    // The same randomStep again: the same masks (stateless draws).
    expect(run(g, 1, 1)).toEqual(a);
    // An explicit seed replaces the path-derived one: two layers with one seed draw one mask.
    const seeded = run(dropoutGraph([dropout(p, { seed: 42 }), dropout(p, { seed: 42 })]), 1, 3);
    expect(seeded.y1).toEqual(seeded.y0);
  });

  it('declares the two mode inputs once per graph, however many dropout layers there are', () => {
    const g = dropoutGraph([dropout(0.1), dropout(0.2), dropout(0.3)]);
    const inputs = g.inputs.map((id) => nodeAs(g, id, 'input').attrs);
    expect(inputs.map((a) => [a.name, a.shape, a.dtype])).toEqual([
      ['x', X_SHAPE, 'f32'],
      [TRAINING_INPUT, [], 'f32'],
      [RANDOM_STEP_INPUT, [], 'u32'],
    ]);
  });

  it('single-step mode draws one mask element per element of x, so steps differ', () => {
    const y = run(dropoutGraph([dropout(p, { stepMode: 'single' })]), 1, 7).y0!;
    const independent = 2 * p * (1 - p);
    expect(Math.abs(disagreement(keptAt(y, 0), keptAt(y, 1)) - independent)).toBeLessThan(binomialBound(independent, B * F));
    expect(Math.abs(fraction(y.map((v) => Number(v !== 0))) - (1 - p))).toBeLessThan(binomialBound(1 - p, T * B * F));
  });

  it('with p = 0 is the identity', () => {
    expect(run(dropoutGraph([dropout(0)]), 1, 5).y0).toEqual(Array.from(Float32Array.from(X)));
  });
});

describe('dropout in evaluation mode', () => {
  it('is exactly the identity, whatever randomStep', () => {
    const g = dropoutGraph([dropout(0.6), dropout(0.6, { stepMode: 'single' })]);
    const x32 = Array.from(Float32Array.from(X));
    for (const step of [0, 9]) expect(run(g, 0, step)).toEqual({ y0: x32, y1: x32 });
  });
});

describe('dropout gradient', () => {
  it('is mask/(1 − p) (times the cotangent) while training, and the cotangent itself in evaluation', () => {
    const p = 0.4;
    const shape = [3, 5, 7];
    const n = 3 * 5 * 7;
    const model = trace((b) => {
      const x = b.input('x', shape);
      const y = b.scope('drop', () => buildDropout(b, x, dropout(p)));
      return { y, loss: y.mul(b.input('g', shape)).sum() };
    });
    const x = testData(2, n, 0.5, 1.5);
    const g = testData(3, n, -1, 1);
    const backward = grad(model, { of: 'loss', wrt: ['x'] });
    const at = (training: number) => evaluate(backward, { inputs: { x, g, [TRAINING_INPUT]: training, [RANDOM_STEP_INPUT]: 11 } }, { precision: 'f64' }).outputs;
    const trained = at(1);
    const kept = toArray(trained.y!).map((v) => Number(v !== 0));
    expect(kept.slice(0, 35)).toEqual(kept.slice(35, 70)); // shared over T
    expect(fraction(kept)).toBeGreaterThan(0);
    expect(fraction(kept)).toBeLessThan(1);
    toArray(trained['grad/x']!).forEach((d, k) => expect(d).toBeCloseTo((g[k]! * kept[k]!) / (1 - p), 12));
    expect(toArray(at(0)['grad/x']!)).toEqual(g);
  });
});

describe('dropout specs', () => {
  it('give exactly the graph traced by hand, with defaults p = 0.5 and multi-step', () => {
    expect(dropout()).toEqual({ kind: 'dropout', p: 0.5, stepMode: 'multi' });
    const input = { name: 'x', shape: [3, 2, 4] };
    const fromText = buildSequential(JSON.stringify({ kind: 'sequential', layers: [{ kind: 'linear', in: 4, out: 5 }, { kind: 'dropout' }] }), { input, library: standardLayers });
    const traced = trace((b) => {
      let x = b.input('x', input.shape);
      x = b.scope('linear0', () => buildLinear(b, x, linear(4, 5)));
      return { output: b.scope('dropout1', () => buildDropout(b, x, dropout(0.5))) };
    });
    expect(fromText).toEqual(traced);
    expect(buildSequential(sequential([linear(4, 5), dropout()]), { input, library: standardLayers })).toEqual(traced);
  });

  it('reject p outside [0, 1) and bad seeds, naming the field', () => {
    expect(() => dropout(1)).toThrow(SpikeflowError);
    expect(() => dropout(1)).toThrow(/at 'dropout\.p'.*\[0, 1\).*found 1/);
    expect(() => dropout(-0.1)).toThrow(/at 'dropout\.p'/);
    expect(() => dropout(Number.NaN)).toThrow(/at 'dropout\.p'/);
    expect(() => dropout(0.5, { seed: -1 })).toThrow(/at 'dropout\.seed'/);
    const bad = (layer: object) => () => buildSequential(JSON.stringify({ kind: 'sequential', layers: [layer] }), { input: { name: 'x', shape: [2, 3] }, library: standardLayers });
    expect(bad({ kind: 'dropout', p: 1.5 })).toThrow(/layers\[0\]\.p/);
    expect(bad({ kind: 'dropout', stepMode: 'both' })).toThrow(/layers\[0\]\.stepMode/);
  });

  it('reject a multi-step input without a time axis, and a clashing mode input, naming them', () => {
    expect(() => buildSequential(sequential([dropout()]), { input: { name: 'x', shape: [5] }, library: standardLayers })).toThrow(/at 'dropout0'.*expected \[T, B, \.\.\.\]; found \[5\]/);
    expect(() =>
      trace((b: GraphBuilder) => {
        b.input(TRAINING_INPUT, [2]);
        return { y: buildDropout(b, b.input('x', [2, 3]), dropout()) };
      }),
    ).toThrow(/at 'training'.*another type.*expected f32\[\]; found f32\[2\]/);
  });
});

describe('the trainer feeds the mode inputs', () => {
  const [steps, batch, inputs, outputs, samples] = [3, 4, 5, 6, 12];

  /** x [T, B, I] -> linear -> dropout(0.5) -> mean over time -> MSE against y [B, O]. */
  function model(): Graph {
    return trace((b) => {
      const x = b.input('x', [steps, batch, inputs]);
      const h = b.scope('linear0', () => buildLinear(b, x, linear(inputs, outputs, { bias: true })));
      const pred = b.scope('dropout1', () => buildDropout(b, h, dropout(0.5))).mean(0);
      return { loss: mse(pred, b.input('y', [batch, outputs])) };
    });
  }

  const xs = tensor([steps, samples, inputs], testData(4, steps * samples * inputs, -1, 1));
  const ys = tensor([samples, outputs], testData(5, samples * outputs, -1, 1));
  const batches = (rng?: Parameters<typeof minibatches>[1]['rng']) => minibatches({ x: { tensor: xs, axis: 1 }, y: ys }, { batchSize: batch, rng });

  it('gives only the graphs that have them their feeds', () => {
    const plain = trace((b) => ({ y: b.input('x', [2]).mul(2) }));
    expect(trainingFeeds(plain, 3)).toEqual({});
    expect(evaluationFeeds(plain)).toEqual({});
    expect(trainingFeeds(model(), 3)).toEqual({ [TRAINING_INPUT]: 1, [RANDOM_STEP_INPUT]: 3 });
    expect(trainingFeeds(model(), 2 ** 32 + 5)).toEqual({ [TRAINING_INPUT]: 1, [RANDOM_STEP_INPUT]: 5 });
    expect(evaluationFeeds(model())).toEqual({ [TRAINING_INPUT]: 0, [RANDOM_STEP_INPUT]: 0 });
  });

  it('training = 1 with randomStep = the step counter while training, training = 0 in evaluate', async () => {
    // With lr = 0 the params stay at their init, so step k's loss is the model's loss at randomStep = k.
    const seed = 6;
    const first = batches()[0]!;
    const g = model();
    const params = initParams(g, { seed });
    const lossAt = (training: number, randomStep: number) =>
      toArray(evaluate(g, { inputs: { x: first.x!, y: first.y!, [TRAINING_INPUT]: training, [RANDOM_STEP_INPUT]: randomStep }, params }).outputs.loss!)[0]!;
    const { trainer, history } = await train({
      backend: cpuBackend(),
      model: g,
      optimizer: sgd(),
      data: { train: () => [{ x: first.x!, y: first.y! }], test: () => [first] },
      schedule: 0,
      epochs: 3,
      seed,
    });
    history.forEach((m, k) => expect(m.loss, `step ${k}`).toBeCloseTo(lossAt(1, k), 6));
    expect(new Set(history.map((m) => m.loss)).size).toBe(3); // each step drew a new mask
    const evaluation = lossAt(0, 0);
    expect(lossAt(0, 9)).toBe(evaluation);
    for (const m of history) expect(m.testLoss).toBeCloseTo(evaluation, 6);
    expect((await trainer.evaluate([first])).loss).toBe(history[2]!.testLoss);
    trainer.destroy();
  });

  it('resumes a checkpoint bit for bit: 1 + 1 epochs equal 2, masks included', async () => {
    const options: TrainerOptions = { backend: cpuBackend(), model: model(), optimizer: adam(), data: { train: (rng) => batches(rng) }, schedule: 0.05, seed: 2 };
    const { resumed } = await expectResumeIdentity(options);
    resumed.destroy();
  });
});
