import { grad } from '@spikeflow/autodiff';
import { evaluate, SpikeflowError, tensor, toArray, trace, type HostTensor, type Shape, type Tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { accuracy, argmax, lsnnRateRegularizer, mse, rateRegularizer, softmaxCrossEntropy, timeReadout, type TimeReadout } from '../src/losses/index.js';
import { testData } from '../../../test/support/test-data.js';

const randoms = (seed: number, n: number, lo = -1, hi = 1): number[] => testData(seed, n, lo, hi);

/** Builds `fn` over input x and the extra inputs by name, returning the loss value (f32 run). */
function value(shape: Shape, x: readonly number[], fn: (x: Tensor, inputs: Record<string, Tensor>) => Tensor, extra: Record<string, HostTensor> = {}): number {
  const g = trace((b) => {
    const inputs = Object.fromEntries(Object.entries(extra).map(([name, t]) => [name, b.input(name, t.type.shape, t.type.dtype)]));
    return { loss: fn(b.input('x', shape), inputs) };
  });
  return toArray(evaluate(g, { inputs: { x: tensor(shape, x), ...extra } }).outputs.loss!)[0]!;
}

/** The analytic gradient wrt x (autodiff, f64) against central differences; returns the max relative error. */
function gradError(shape: Shape, x: readonly number[], fn: (x: Tensor, inputs: Record<string, Tensor>) => Tensor, extra: Record<string, HostTensor> = {}): number {
  const forward = trace((b) => {
    const inputs = Object.fromEntries(Object.entries(extra).map(([name, t]) => [name, b.input(name, t.type.shape, t.type.dtype)]));
    return { loss: fn(b.input('x', shape), inputs) };
  });
  const feeds = (v: readonly number[]) => ({ inputs: { x: tensor(shape, v, 'f32', 'f64'), ...extra } });
  const analytic = toArray(evaluate(grad(forward, { of: 'loss', wrt: ['x'] }), feeds(x), { precision: 'f64' }).outputs['grad/x']!);
  const f = (v: readonly number[]) => toArray(evaluate(forward, feeds(v), { precision: 'f64' }).outputs.loss!)[0]!;
  const eps = 1e-6;
  let worst = 0;
  x.forEach((_, i) => {
    const plus = [...x];
    const minus = [...x];
    plus[i]! += eps;
    minus[i]! -= eps;
    const numeric = (f(plus) - f(minus)) / (2 * eps);
    worst = Math.max(worst, Math.abs(analytic[i]! - numeric) / Math.max(1, Math.abs(numeric)));
  });
  return worst;
}

const labels = (values: number[]) => tensor([values.length], values, 'i32');

describe('softmax cross-entropy', () => {
  const logits = [1, 2, 3, 1, 1, 1];

  it('matches hand-worked values: CE = logsumexp(x) - x_label, batch mean', () => {
    // Row 0: ln(e + e^2 + e^3) - 3 = 0.4076059644; row 1: ln 3 = 1.0986122887.
    const ce = value([2, 3], logits, (x, { y }) => softmaxCrossEntropy(x, y!), { y: labels([2, 0]) });
    expect(ce).toBeCloseTo(0.7531091265562451, 6);
  });

  it('has the gradient (softmax - onehot) / B', () => {
    const g = trace((b) => ({ loss: softmaxCrossEntropy(b.input('x', [2, 3]), b.input('y', [2], 'i32')) }));
    const out = evaluate(grad(g, { of: 'loss', wrt: ['x'] }), { inputs: { x: tensor([2, 3], logits), y: labels([2, 0]) } }).outputs['grad/x']!;
    const p = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219]; // softmax(1, 2, 3)
    const expected = [p[0]! / 2, p[1]! / 2, (p[2]! - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6];
    toArray(out).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('is stable for large logits (the max is subtracted)', () => {
    const ce = value([2, 3], logits.map((v) => v + 1000), (x, { y }) => softmaxCrossEntropy(x, y!), { y: labels([2, 0]) });
    expect(ce).toBeCloseTo(0.7531091265562451, 5);
    const g = trace((b) => ({ loss: softmaxCrossEntropy(b.input('x', [2, 3]), b.input('y', [2], 'i32')) }));
    const out = evaluate(grad(g, { of: 'loss', wrt: ['x'] }), { inputs: { x: tensor([2, 3], [1e4, 0, -1e4, 88, 89, 90]), y: labels([0, 1]) } }).outputs;
    expect(toArray(out.loss!).every(Number.isFinite)).toBe(true);
    expect(toArray(out['grad/x']!).every(Number.isFinite)).toBe(true);
  });

  it('takes target distributions [B, C]: -(0.5 ln 0.25 + 0.5 ln 0.75)', () => {
    const ce = value([1, 2], [0, Math.log(3)], (x, { y }) => softmaxCrossEntropy(x, y!), { y: tensor([1, 2], [0.5, 0.5]) });
    expect(ce).toBeCloseTo(0.8369882167858358, 6);
  });

  it('smooths labels: targets (1 − ε)·onehot + ε/C, worked by hand, with the gradient softmax − targets over B', () => {
    // ε = 0.2, C = 2, label 1: targets (0.1, 0.9); softmax(0, ln 3) = (1/4, 3/4).
    const ce = value([1, 2], [0, Math.log(3)], (x, { y }) => softmaxCrossEntropy(x, y!, { labelSmoothing: 0.2 }), { y: labels([1]) });
    expect(ce).toBeCloseTo(-(0.1 * Math.log(0.25) + 0.9 * Math.log(0.75)), 6);
    const g = trace((b) => ({ loss: softmaxCrossEntropy(b.input('x', [1, 2]), b.input('y', [1], 'i32'), { labelSmoothing: 0.2 }) }));
    const out = evaluate(grad(g, { of: 'loss', wrt: ['x'] }), { inputs: { x: tensor([1, 2], [0, Math.log(3)]), y: labels([1]) } }).outputs['grad/x']!;
    toArray(out).forEach((v, i) => expect(v).toBeCloseTo([0.25 - 0.1, 0.75 - 0.9][i]!, 6));
    expect(() => trace((b) => ({ loss: softmaxCrossEntropy(b.input('x', [1, 2]), b.input('y', [1], 'i32'), { labelSmoothing: 1 }) }))).toThrow(/cross_entropy\.labelSmoothing/);
  });

  it('agrees with finite differences (integer labels and soft targets)', () => {
    const x = randoms(1, 4 * 5, -3, 3);
    expect(gradError([4, 5], x, (t, { y }) => softmaxCrossEntropy(t, y!), { y: labels([0, 4, 2, 2]) })).toBeLessThan(1e-6);
    const soft = randoms(2, 4 * 5, 0, 1);
    expect(gradError([4, 5], x, (t, { y }) => softmaxCrossEntropy(t, y!), { y: tensor([4, 5], soft) })).toBeLessThan(1e-6);
  });

  it('rejects labels of the wrong shape or kind, naming the loss', () => {
    const build = (shape: number[], dtype: 'i32' | 'f32') => () => trace((b) => ({ loss: softmaxCrossEntropy(b.input('x', [4, 3]), b.input('y', shape, dtype)) }));
    for (const [shape, dtype] of [
      [[3], 'i32'],
      [[4], 'f32'],
      [[4, 2], 'f32'],
    ] as const) {
      expect(build([...shape], dtype)).toThrow(SpikeflowError);
      try {
        build([...shape], dtype)();
      } catch (error) {
        expect((error as SpikeflowError).code).toBe('shape');
        expect((error as SpikeflowError).where).toBe('cross_entropy');
      }
    }
  });
});

describe('time readouts', () => {
  // x [T = 3, B = 1, C = 2]
  const v = [0.5, -1, 2, 0.25, -0.5, 1.5];
  const cases: [TimeReadout, number[]][] = [
    ['count', [2, 0.75]],
    ['rate', [2 / 3, 0.25]],
    ['mean', [2 / 3, 0.25]],
    ['max', [2, 1.5]],
    ['last', [-0.5, 1.5]],
  ];
  for (const [mode, expected] of cases) {
    it(`${mode}: hand values and gradient into cross-entropy`, () => {
      const g = trace((b) => ({ r: timeReadout(b.input('x', [3, 1, 2]), mode) }));
      const out = evaluate(g, { inputs: { x: tensor([3, 1, 2], v) } }).outputs.r!;
      expect(out.type.shape).toEqual([1, 2]);
      toArray(out).forEach((r, i) => expect(r).toBeCloseTo(expected[i]!, 6));
      const x = randoms(3, 4 * 2 * 3, -2, 2);
      expect(gradError([4, 2, 3], x, (t, { y }) => softmaxCrossEntropy(timeReadout(t, mode), y!), { y: labels([1, 2]) })).toBeLessThan(1e-6);
    });
  }
});

describe('mse', () => {
  it('is the mean of squared differences', () => {
    expect(value([3], [1, 2, 3], (x, { t }) => mse(x, t!), { t: tensor([3], [1, 0, 0]) })).toBeCloseTo(13 / 3, 6);
    expect(gradError([2, 3], randoms(4, 6), (x, { t }) => mse(x, t!), { t: tensor([2, 3], randoms(5, 6)) })).toBeLessThan(1e-6);
  });

  it('rejects shapes that would broadcast', () => {
    expect(() => trace((b) => ({ loss: mse(b.input('x', [2, 3]), b.input('t', [3])) }))).toThrow(/mse/);
  });
});

describe('firing-rate regularizers', () => {
  // spikes [T = 2, B = 2, N = 2]; neuron rates over (t, b): n0 = 3/4, n1 = 1/4.
  const s = [1, 0, 1, 1, 0, 0, 1, 0];

  it('rateRegularizer: weight * mean_n (r_n - target)^2', () => {
    // 2 * mean(0.5^2, 0^2) = 0.25
    expect(value([2, 2, 2], s, (x) => rateRegularizer(x, { target: 0.25, weight: 2 }))).toBeCloseTo(0.25, 6);
    expect(gradError([5, 3, 4], randoms(6, 60, 0, 1), (x) => rateRegularizer(x, { target: 0.1, weight: 3 }))).toBeLessThan(1e-6);
  });

  it("LSNN's form: weight * sum_n (r_n / dt - targetHz / 1000)^2", () => {
    // dt 1 ms, 250 Hz: f0 = 0.25; 3 * (0.5^2 + 0^2) = 0.75.
    expect(value([2, 2, 2], s, (x) => lsnnRateRegularizer(x, { targetHz: 250, weight: 3 }))).toBeCloseTo(0.75, 6);
    // dt 2 ms, 100 Hz: rates per ms (0.375, 0.125), f0 = 0.1: 0.275^2 + 0.025^2 = 0.07625.
    expect(value([2, 2, 2], s, (x) => lsnnRateRegularizer(x, { targetHz: 100, weight: 1, dtMs: 2 }))).toBeCloseTo(0.07625, 6);
    expect(gradError([5, 3, 4], randoms(7, 60, 0, 1), (x) => lsnnRateRegularizer(x, { targetHz: 20, weight: 0.5, dtMs: 1 }))).toBeLessThan(1e-6);
  });

  it('rejects a non-time-major tensor and bad parameters', () => {
    expect(() => trace((b) => ({ loss: rateRegularizer(b.input('x', [4, 3]), { target: 0.1, weight: 1 }) }))).toThrow(/rate_regularizer/);
    expect(() => trace((b) => ({ loss: rateRegularizer(b.input('x', [2, 4, 3]), { target: -0.1, weight: 1 }) }))).toThrow(/rateRegularizer\.target/);
    expect(() => trace((b) => ({ loss: lsnnRateRegularizer(b.input('x', [2, 4, 3]), { targetHz: 10, weight: 1, dtMs: 0 }) }))).toThrow(/dtMs/);
  });
});

describe('accuracy', () => {
  const scores = tensor([3, 2], [0.1, 0.9, 0.5, 0.5, 2, 1]);

  it('argmax per row, ties to the first', () => {
    expect(argmax(scores)).toEqual([1, 0, 0]);
  });

  it('is the fraction of rows whose argmax is the label', () => {
    expect(accuracy(scores, [1, 1, 0])).toBeCloseTo(2 / 3, 15);
    expect(accuracy(scores, labels([1, 0, 0]))).toBe(1);
    expect(() => accuracy(scores, [1, 0])).toThrow(SpikeflowError);
  });
});
