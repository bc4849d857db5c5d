import { evaluate, SpikeflowError, toArray, trace, type Graph, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { adam, adamw, sgd, trainingGraph, type Optimizer } from '../src/index.js';

/**
 * Optimizer trajectories on loss = sum((w - target)^2), gradient 2(w - target), checked against
 * plain-JS transcriptions of the update rules as torch.optim's documentation states them.
 */

// Far from 0 on the whole trajectory, so that relative error measures the arithmetic.
const W0 = [2.5, 0.75, 4];
const TARGET = [3.5, 2.75, 1.5];
/** The learning rate changes between calls: it is an input, not baked into the graph. */
const LRS = [0.1, 0.05, 0.1, 0.02, 0.08];

const quadratic: Graph = trace((b) => {
  const w = b.param('w', [3], { kind: 'values', values: W0 });
  const d = w.sub(b.constant(TARGET, [3]));
  return { loss: d.mul(d).sum() };
});

/** Params after each of the steps, from the training graph run on the CPU interpreter (f32). */
function graphTrajectory(optimizer: Optimizer, lrs: readonly number[] = LRS): number[][] {
  const train = trainingGraph(quadratic, { loss: 'loss', optimizer });
  let state: Readonly<Record<string, HostTensor>> | undefined;
  return lrs.map((lr) => {
    ({ state } = evaluate(train, { inputs: { lr }, state }));
    return toArray(state.w!);
  });
}

const gradient = (w: readonly number[]) => w.map((x, i) => 2 * (x - TARGET[i]!));

/** torch.optim.SGD's documented algorithm, per element, in f64. */
function sgdReference(o: { momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number }): number[][] {
  const mu = o.momentum ?? 0;
  const tau = o.dampening ?? 0;
  const lambda = o.weightDecay ?? 0;
  let theta = [...W0];
  let buf = [0, 0, 0];
  return LRS.map((gamma, k) => {
    const t = k + 1;
    const g = gradient(theta).map((gi, i) => gi + lambda * theta[i]!);
    let step = g;
    if (mu !== 0) {
      buf = t > 1 ? buf.map((bi, i) => mu * bi + (1 - tau) * g[i]!) : [...g];
      step = o.nesterov ? g.map((gi, i) => gi + mu * buf[i]!) : buf;
    }
    theta = theta.map((x, i) => x - gamma * step[i]!);
    return theta;
  });
}

/** torch.optim.Adam / AdamW's documented algorithm, per element, in f64. */
function adamReference(o: { beta1?: number; beta2?: number; eps?: number; weightDecay?: number; decoupled: boolean }): number[][] {
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-8;
  const lambda = o.weightDecay ?? 0;
  let theta = [...W0];
  let m = [0, 0, 0];
  let v = [0, 0, 0];
  return LRS.map((gamma, k) => {
    const t = k + 1;
    let g = gradient(theta);
    if (o.decoupled) theta = theta.map((x) => x - gamma * lambda * x);
    else g = g.map((gi, i) => gi + lambda * theta[i]!);
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! * g[i]!);
    const mHat = m.map((mi) => mi / (1 - b1 ** t));
    const vHat = v.map((vi) => vi / (1 - b2 ** t));
    theta = theta.map((x, i) => x - (gamma * mHat[i]!) / (Math.sqrt(vHat[i]!) + eps));
    return theta;
  });
}

/** Elementwise |actual - expected| <= rel * |expected|. */
function expectRelClose(actual: readonly number[][], expected: readonly number[][], rel = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, k) =>
    row.forEach((a, i) => {
      const e = expected[k]![i]!;
      expect(Math.abs(a - e), `step ${k + 1}, element ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.abs(e));
    }),
  );
}

describe('sgd as graph ops', () => {
  it.each([
    ['plain', {}],
    ['momentum 0.9', { momentum: 0.9 }],
    // With dampening the first step (buf = g, undamped) differs from the recurrence from zeros.
    ['momentum 0.9, dampening 0.5', { momentum: 0.9, dampening: 0.5 }],
    ['nesterov', { momentum: 0.9, nesterov: true }],
    ['weight decay', { weightDecay: 0.1 }],
    ['weight decay with momentum', { momentum: 0.5, weightDecay: 0.1 }],
  ] as const)('%s follows torch.optim.SGD for 5 steps', (_, options) => {
    expectRelClose(graphTrajectory(sgd(options)), sgdReference(options));
  });

  it('takes the first momentum step from the gradient itself (worked by hand)', () => {
    // w0 = 2.5, target 3.5: g1 = -2, buf1 = g1 = -2 (not 0.5*(-2)), w1 = 2.5 + 0.1*2 = 2.7.
    // g2 = 2(2.7 - 3.5) = -1.6, buf2 = 0.9*(-2) + 0.5*(-1.6) = -2.6, w2 = 2.7 + 0.05*2.6 = 2.83.
    const [w1, w2] = graphTrajectory(sgd({ momentum: 0.9, dampening: 0.5 }), [0.1, 0.05]);
    expect(w1![0]).toBeCloseTo(2.7, 6);
    expect(w2![0]).toBeCloseTo(2.83, 6);
  });

  it('rejects bad hyperparameters, naming them', () => {
    expect(() => sgd({ momentum: -1 })).toThrow(/sgd\.momentum/);
    expect(() => sgd({ nesterov: true })).toThrow(SpikeflowError);
    expect(() => sgd({ momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/sgd\.nesterov/);
  });
});

describe('adam and adamw as graph ops', () => {
  it.each([
    ['adam', () => adam(), { decoupled: false }],
    ['adam with L2 weight decay', () => adam({ weightDecay: 0.1 }), { decoupled: false, weightDecay: 0.1 }],
    ['adam with other betas', () => adam({ beta1: 0.5, beta2: 0.9, eps: 1e-3 }), { decoupled: false, beta1: 0.5, beta2: 0.9, eps: 1e-3 }],
    ['adamw (default weight decay 0.01)', () => adamw(), { decoupled: true, weightDecay: 0.01 }],
    ['adamw with weight decay 0.2', () => adamw({ weightDecay: 0.2, beta1: 0.8 }), { decoupled: true, weightDecay: 0.2, beta1: 0.8 }],
  ] as const)('%s follows torch.optim for 5 steps', (_, make, reference) => {
    expectRelClose(graphTrajectory(make()), adamReference(reference));
  });

  it('moves every coordinate by exactly lr on the first step (bias correction exact in f32)', () => {
    // t = 1: mhat = g, vhat = g^2, so the step is lr * g / (|g| + eps) = lr * sign(g) to 1e-8.
    // A plain f32 pow(0.999, 1) would make it lr * (1 + 6.4e-6).
    const [w1] = graphTrajectory(adam(), [0.1]);
    const expected = W0.map((w, i) => w - 0.1 * Math.sign(w - TARGET[i]!));
    expectRelClose([w1!], [expected], 2e-7);
  });

  it('keeps the bias corrections exact far into training', () => {
    // Resume from an arbitrary (m, v) at several step counts, across both branches of expm1.
    const train = trainingGraph(quadratic, { loss: 'loss', optimizer: adam() });
    const m = [0.3, -0.2, 0.05];
    const v = [0.4, 0.01, 0.2];
    for (const done of [0, 3, 499, 500, 501, 2000, 100_000]) {
      const out = evaluate(train, { inputs: { lr: 0.01 }, state: { w: W0, 'w/m': m, 'w/v': v, 'optimizer/step': done } });
      const t = done + 1;
      const g = gradient(W0);
      const expected = W0.map((w, i) => {
        const mt = 0.9 * m[i]! + 0.1 * g[i]!;
        const vt = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
        return w - (0.01 * (mt / (1 - 0.9 ** t))) / (Math.sqrt(vt / (1 - 0.999 ** t)) + 1e-8);
      });
      expectRelClose([toArray(out.state.w!)], [expected]);
      expect(toArray(out.state['optimizer/step']!)).toEqual([t]);
    }
  });

  it('rejects bad hyperparameters, naming them', () => {
    expect(() => adam({ beta1: 1 })).toThrow(/adam\.beta1/);
    expect(() => adamw({ weightDecay: -0.1 })).toThrow(/adamw\.weightDecay/);
    expect(() => adam({ eps: Number.NaN })).toThrow(SpikeflowError);
  });
});
