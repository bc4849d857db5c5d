// tdBN and BNTT against the formulas computed here with plain loops (training: batch statistics and
// the running-statistic update; evaluation: the running statistics, unchanged), their gradients
// against central finite differences, and their spec errors.
import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, tensor, toArray, trace, type Graph, type HostTensor, type Shape } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { bntt, buildBntt, buildTdBN, RUNNING_MEAN, RUNNING_VAR, tdBN, TRAINING_INPUT, type BnttSpec, type TdBNSpec } from '../src/index.js';
import { testData } from '../../../test/support/test-data.js';
import { finiteDiff } from './support/finite-difference.js';

const size = (shape: Shape) => shape.reduce((a, b) => a * b, 1);
const maxDiff = (a: readonly number[], b: readonly number[]) => (a.length !== b.length ? Infinity : Math.max(...a.map((v, k) => Math.abs(v - b[k]!))));

type NormSpec = TdBNSpec | BnttSpec;

/** The layer in scope `bn`, with loss = Σ y · r (r a fixed input), so every output counts in the gradient. */
function layerGraph(spec: NormSpec, xShape: Shape): Graph {
  return trace((b) => {
    const x = b.input('x', xShape);
    const y = b.scope('bn', () => (spec.kind === 'tdBN' ? buildTdBN(b, x, spec) : buildBntt(b, x, spec)));
    return { y, loss: y.mul(b.input('r', y.shape)).sum() };
  });
}

// --- the reference, with plain loops -------------------------------------------------------------

/** x [T, B, C, S] (S = the spatial axes flattened): the statistic index of an element, for tdBN (c) or BNTT (t·C + c). */
const groupOf = (perStep: boolean, t: number, c: number, C: number) => (perStep ? t * C + c : c);

interface Reference {
  readonly y: number[];
  readonly runningMean: number[];
  readonly runningVar: number[];
}

/**
 * y = γ_g · scale · (x − μ_g) / √(σ_g² + ε) + β_g per statistic group g; training uses the batch's
 * mean and biased variance and moves the running ones by momentum m (unbiased variance), evaluation
 * uses the running ones.
 */
function reference(x: number[], [T, B, C, S]: number[], o: { perStep: boolean; training: boolean; gamma: number[]; beta: number[]; scale: number; eps: number; m: number; runningMean: number[]; runningVar: number[] }): Reference {
  const groups = o.perStep ? T! * C! : C!;
  const at = (t: number, b: number, c: number, s: number) => ((t * B! + b) * C! + c) * S! + s;
  const sum = new Array(groups).fill(0);
  const sq = new Array(groups).fill(0);
  const n = new Array(groups).fill(0);
  for (let t = 0; t < T!; t++) for (let b = 0; b < B!; b++) for (let c = 0; c < C!; c++) for (let s = 0; s < S!; s++) {
    const g = groupOf(o.perStep, t, c, C!);
    sum[g] += x[at(t, b, c, s)]!;
    n[g]++;
  }
  const mean = sum.map((v, g) => v / n[g]);
  for (let t = 0; t < T!; t++) for (let b = 0; b < B!; b++) for (let c = 0; c < C!; c++) for (let s = 0; s < S!; s++) {
    const g = groupOf(o.perStep, t, c, C!);
    sq[g] += (x[at(t, b, c, s)]! - mean[g]) ** 2;
  }
  const variance = sq.map((v, g) => v / n[g]);
  const mu = o.training ? mean : o.runningMean;
  const sigma2 = o.training ? variance : o.runningVar;
  const y = new Array(x.length);
  for (let t = 0; t < T!; t++) for (let b = 0; b < B!; b++) for (let c = 0; c < C!; c++) for (let s = 0; s < S!; s++) {
    const g = groupOf(o.perStep, t, c, C!);
    const k = at(t, b, c, s);
    y[k] = (o.gamma[g]! * o.scale * (x[k]! - mu[g]!)) / Math.sqrt(sigma2[g]! + o.eps) + o.beta[g]!;
  }
  if (!o.training) return { y, runningMean: o.runningMean, runningVar: o.runningVar };
  return {
    y,
    runningMean: o.runningMean.map((r, g) => (1 - o.m) * r + o.m * mean[g]),
    runningVar: o.runningVar.map((r, g) => (1 - o.m) * r + (o.m * variance[g] * n[g]) / (n[g] - 1)),
  };
}

// --- the cases -------------------------------------------------------------------------------------

const X_SHAPE = [3, 2, 2, 2, 3]; // [T, B, C, H, W]
const [T, B, C] = X_SHAPE as [number, number, number];
const S = 6;

const cases: [string, NormSpec][] = [
  ['tdBN, α = 0.5, V_th = 2, momentum 0.2', tdBN(C, { alpha: 0.5, threshold: 2, momentum: 0.2 })],
  ['bntt with bias, momentum 0.3', bntt(C, T, { bias: true, momentum: 0.3 })],
  ['bntt, the paper\'s defaults (no bias, ε = 1e-4)', bntt(C, T)],
];

function setup(spec: NormSpec, seed: number) {
  const perStep = spec.kind === 'bntt';
  const groups = perStep ? T * C : C;
  const stored = perStep ? [T, C] : [C];
  const gamma = testData(seed, groups, 0.5, 1.5);
  const hasBeta = spec.kind === 'tdBN' || spec.bias;
  const beta = hasBeta ? testData(seed + 1, groups, -1, 1) : new Array(groups).fill(0);
  const params: Record<string, HostTensor> = { 'bn/gamma': tensor(stored, gamma, 'f32', 'f64'), ...(hasBeta ? { 'bn/beta': tensor(stored, beta, 'f32', 'f64') } : {}) };
  const runningMean = testData(seed + 2, groups, -0.5, 0.5);
  const runningVar = testData(seed + 3, groups, 0.5, 2);
  const state = { [`bn/${RUNNING_MEAN}`]: tensor(stored, runningMean, 'f32', 'f64'), [`bn/${RUNNING_VAR}`]: tensor(stored, runningVar, 'f32', 'f64') };
  const scale = spec.kind === 'tdBN' ? spec.alpha * spec.threshold : 1;
  // x with a channel-dependent offset and spread, so the statistics differ between groups.
  const x = testData(seed + 4, size(X_SHAPE), -1, 1).map((v, k) => v * (1 + (Math.floor(k / S) % C)) + 0.3 * Math.floor(k / (B * C * S)));
  return { perStep, gamma, beta, params, runningMean, runningVar, state, scale, x };
}

describe('tdBN and BNTT against plain-loop formulas (f64)', () => {
  it.each(cases)('%s: training and evaluation', (_, spec) => {
    const s = setup(spec, 31);
    const g = layerGraph(spec, X_SHAPE);
    const r = new Array(size(X_SHAPE)).fill(1);
    for (const training of [true, false]) {
      const out = evaluate(g, { inputs: { x: s.x, r, [TRAINING_INPUT]: training ? 1 : 0 }, params: s.params, state: s.state }, { precision: 'f64' });
      const expected = reference(s.x, [T, B, C, S], { perStep: s.perStep, training, gamma: s.gamma, beta: s.beta, scale: s.scale, eps: spec.eps, m: spec.momentum, runningMean: s.runningMean, runningVar: s.runningVar });
      const mode = training ? 'training' : 'evaluation';
      expect(maxDiff(toArray(out.outputs.y!), expected.y), `y, ${mode}`).toBeLessThan(1e-12);
      expect(maxDiff(toArray(out.state[`bn/${RUNNING_MEAN}`]!), expected.runningMean), `running mean, ${mode}`).toBeLessThan(1e-12);
      expect(maxDiff(toArray(out.state[`bn/${RUNNING_VAR}`]!), expected.runningVar), `running variance, ${mode}`).toBeLessThan(1e-12);
    }
  });

  it('training normalises each channel (tdBN) or each step and channel (BNTT) to mean β and standard deviation γ·α·V_th', () => {
    // With γ = 1, β = 0: tdBN's channel statistics over T·B·H·W are (0, (α·V_th)²); BNTT's per step over B·H·W are (0, 1).
    const x = testData(3, size(X_SHAPE), -2, 5);
    for (const [spec, perStep, scale] of [[tdBN(C, { alpha: 0.5, threshold: 3, eps: 1e-12 }), false, 1.5], [bntt(C, T, { eps: 1e-12 }), true, 1]] as const) {
      const g = layerGraph(spec, X_SHAPE);
      // The initial params: γ = 1, β = 0.
      const y = toArray(evaluate(g, { inputs: { x, r: x, [TRAINING_INPUT]: 1 }, params: initParams(g) }, { precision: 'f64' }).outputs.y!);
      const groups = perStep ? T * C : C;
      const stats = Array.from({ length: groups }, () => [] as number[]);
      y.forEach((v, k) => {
        const [t, c] = [Math.floor(k / (B * C * S)), Math.floor(k / S) % C];
        stats[groupOf(perStep, t, c, C)]!.push(v);
      });
      for (const values of stats) {
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
        expect(mean).toBeCloseTo(0, 10);
        expect(Math.sqrt(variance)).toBeCloseTo(scale, 8);
      }
    }
  });
});

describe('tdBN and BNTT gradients against central finite differences (f64, training mode)', () => {
  it.each(cases)('%s: d loss / d x, γ and β', (_, spec) => {
    const s = setup(spec, 41);
    const g = layerGraph(spec, X_SHAPE);
    const r = testData(42, size(X_SHAPE), -1, 1);
    const names = Object.keys(s.params);
    const at = (x: number[], params: Record<string, HostTensor>) =>
      evaluate(g, { inputs: { x, r, [TRAINING_INPUT]: 1 }, params, state: s.state }, { precision: 'f64' }).outputs;
    const got = evaluate(grad(g, { of: 'loss', wrt: ['x', ...names] }), { inputs: { x: s.x, r, [TRAINING_INPUT]: 1 }, params: s.params, state: s.state }, { precision: 'f64' }).outputs;
    const expected: Record<string, number[]> = { x: finiteDiff((v) => toArray(at(v, s.params).loss!)[0]!, s.x) };
    for (const name of names) {
      const p = s.params[name]!;
      expected[name] = finiteDiff((v) => toArray(at(s.x, { ...s.params, [name]: tensor(p.type.shape, v, 'f32', 'f64') }).loss!)[0]!, toArray(p));
    }
    for (const [name, values] of Object.entries(expected)) {
      const scale = Math.max(1, ...values.map(Math.abs));
      expect(maxDiff(toArray(got[`grad/${name}`]!), values) / scale, `grad/${name}`).toBeLessThan(1e-7);
    }
  });
});

describe('batch-norm spec errors', () => {
  const build = (spec: NormSpec, shape: Shape) => () => layerGraph(spec, shape);
  it('rejects an input with the wrong channel count, rank or number of steps', () => {
    expect(build(tdBN(3), X_SHAPE)).toThrow(/wrong number of channels for this tdBN layer/);
    expect(build(tdBN(2), [4, 2])).toThrow(/time-major \[T, B, C, \.\.\.\]/);
    expect(build(bntt(C, T + 1), X_SHAPE)).toThrow(/different number of time steps/);
  });
  it('rejects a batch with one value per statistic (no unbiased variance)', () => {
    expect(build(bntt(2, 2), [2, 1, 2])).toThrow(/more than one value per statistic/);
  });
  it('rejects bad fields by name', () => {
    expect(() => tdBN(4, { momentum: 0 })).toThrow(/tdBN\.momentum/);
    expect(() => tdBN(4, { alhpa: 1 } as never)).toThrow(/tdBN\.alhpa/);
    expect(() => bntt(4, 0)).toThrow(/bntt\.steps/);
  });
});
