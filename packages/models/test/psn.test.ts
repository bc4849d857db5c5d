// The PSN family against plain-JS loops over the published formulas (Fang et al., NeurIPS 2023;
// SpikingJelly's PSN, MaskedPSN, SlidingPSN), never through the layers' own graph code.
import { evaluate, initParams, SpikeflowError, toArray, trace, leafName, nodesOf, type Graph, type Tensor, type GraphBuilder } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { describe, expect, it } from 'vitest';
import { buildLinear, buildSequential, linear, sequential, sgd, standardLayers, trainingGraph } from '../src/index.js';
import {
  buildMaskedPsn,
  buildPsn,
  buildSlidingPsn,
  maskedPsn,
  maskedPsnLambda,
  maskedPsnLayer,
  psn,
  psnLayer,
  slidingPsn,
  slidingPsnLayer,
} from '../src/psn/index.js';
import { testData } from '../../../test/support/test-data.js';
import { finiteDiff } from './support/finite-difference.js';

const randoms = (n: number, seed: number, lo: number, hi: number): number[] => testData(seed, n, lo, hi);

// --- independent reference: plain loops over the formulas, in f64 --------------------------------

const A = 2; // atan's default a
/** atan surrogate g'(x) = a / (2(1 + (π a x / 2)²)) ... */
const atanGrad = (x: number) => A / (2 * (1 + ((Math.PI * A * x) / 2) ** 2));
/** ... is the exact derivative of this smooth step, so finite differences of Σ G·σ(H) check a surrogate gradient. */
const atanStep = (x: number) => Math.atan((Math.PI * A * x) / 2) / Math.PI + 0.5;
const heaviside = (x: number) => (x >= 0 ? 1 : 0);

interface Problem {
  readonly T: number;
  readonly N: number;
  readonly x: number[]; // [T, N]
  readonly g: number[]; // the loss's weights on S: loss = Σ G·S
}

/** PSN: H[t][n] = Σ_j W[t][j]·X[j][n] + b[t]. */
function psnRef(w: number[], b: number[], { T, N, x }: Problem): number[] {
  const h: number[] = [];
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      let sum = b[t]!;
      for (let j = 0; j < T; j++) sum += w[t * T + j]! * x[j * N + n]!;
      h.push(sum);
    }
  return h;
}

/** Masked PSN's elementwise factor λ·M_k[t][j] + (1 − λ). */
const maskFactor = (lambda: number, k: number, t: number, j: number) => lambda * (j <= t && t <= j + k - 1 ? 1 : 0) + (1 - lambda);

function maskedRef(w: number[], b: number[], p: Problem, k: number, lambda: number): number[] {
  const eff = w.map((v, n) => v * maskFactor(lambda, k, Math.floor(n / p.T), n % p.T));
  return psnRef(eff, b, p);
}

/** Sliding PSN: H[t] = Σ_{i<k} W_i·X[t − k + 1 + i] + b, X before 0 being zero. */
function slidingRef(w: number[], b: number, { T, N, x }: Problem): number[] {
  const k = w.length;
  const h: number[] = [];
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      let sum = b;
      for (let i = 0; i < k; i++) {
        const s = t - k + 1 + i;
        if (s >= 0) sum += w[i]! * x[s * N + n]!;
      }
      h.push(sum);
    }
  return h;
}

/** dL/dH of L = Σ G·spike(H) under the atan surrogate. */
const dH = (h: number[], g: number[]) => h.map((v, i) => g[i]! * atanGrad(v));

/** Gradients of the dense forms (PSN, masked PSN) by the chain rule, W_eff = W ⊙ factor. */
function denseGrads(w: number[], { T, N, x, g }: Problem, h: number[], factor: (t: number, j: number) => number) {
  const d = dH(h, g);
  const dw = new Array<number>(T * T).fill(0);
  const db = new Array<number>(T).fill(0);
  const dx = new Array<number>(T * N).fill(0);
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      db[t]! += d[t * N + n]!;
      for (let j = 0; j < T; j++) {
        dw[t * T + j]! += d[t * N + n]! * x[j * N + n]! * factor(t, j);
        dx[j * N + n]! += w[t * T + j]! * factor(t, j) * d[t * N + n]!;
      }
    }
  return { w: dw, b: db, x: dx };
}

function slidingGrads(w: number[], { T, N, x, g }: Problem, h: number[]) {
  const k = w.length;
  const d = dH(h, g);
  const dw = new Array<number>(k).fill(0);
  const dx = new Array<number>(T * N).fill(0);
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++)
      for (let i = 0; i < k; i++) {
        const s = t - k + 1 + i;
        if (s < 0) continue;
        dw[i]! += d[t * N + n]! * x[s * N + n]!;
        dx[s * N + n]! += w[i]! * d[t * N + n]!;
      }
  return { w: dw, b: [d.reduce((a, v) => a + v, 0)], x: dx };
}

/** Σ G·σ(H): the smooth function whose exact gradient the surrogate gradient is. */
const smoothLoss = (h: number[], g: number[]) => h.reduce((a, v, i) => a + g[i]! * atanStep(v), 0);

function maxDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

// --- graphs under test -----------------------------------------------------------------------------

const T = 7;
const SHAPE = [T, 2, 3]; // [T, ...]: the layers flatten to [T, N = 6] and back
const N = 6;

function problem(seed: number, t = T, n = N): Problem {
  return { T: t, N: n, x: randoms(t * n, seed, -1, 2), g: randoms(t * n, seed + 1, -1, 1) };
}

/** loss = Σ G·S around one layer, with its spikes; gradients w.r.t. w, b and the input x. */
function lossGraph(shape: readonly number[], layer: (b: GraphBuilder, x: Tensor) => Tensor): Graph {
  const model = trace((b) => {
    const x = b.input('x', shape);
    const s = layer(b, x);
    return { s, loss: s.mul(b.input('g', shape)).sum() };
  });
  return grad(model, { of: 'loss', wrt: ['w', 'b', 'x'] });
}

function run(graph: Graph, p: Problem, params: { w: number[]; b: number[] | number }, lambda?: number) {
  const inputs = { x: p.x, g: p.g, ...(lambda === undefined ? {} : { lambda }) };
  const out = evaluate(graph, { inputs, params }, { precision: 'f64' }).outputs;
  return { s: toArray(out.s!), w: toArray(out['grad/w']!), b: toArray(out['grad/b']!), x: toArray(out['grad/x']!) };
}

/** Spikes exact; gradients equal to the chain rule (to rounding) and to finite differences of the smooth loss. */
function expectMatches(
  got: ReturnType<typeof run>,
  h: number[],
  analytic: { w: number[]; b: number[]; x: number[] },
  fd: { w: number[]; b: number[]; x: number[] },
): void {
  expect(got.s).toEqual(h.map(heaviside));
  expect(new Set(got.s)).toEqual(new Set([0, 1])); // both outcomes occur
  for (const key of ['w', 'b', 'x'] as const) {
    expect(maxDiff(got[key], analytic[key]), `grad/${key} vs chain rule`).toBeLessThan(1e-12);
    expect(maxDiff(got[key], fd[key]), `grad/${key} vs finite differences`).toBeLessThan(1e-7);
    expect(Math.max(...got[key].map(Math.abs)), `grad/${key} is not trivially zero`).toBeGreaterThan(1e-3);
  }
}

describe('PSN', () => {
  const w = randoms(T * T, 11, -0.6, 0.6);
  const b = randoms(T, 12, -1, 0.5);
  const p = problem(13);

  it('H = W X + b, S = spike(H): outputs and surrogate gradients w.r.t. W, b and X', () => {
    const graph = lossGraph(SHAPE, (gb, x) => buildPsn(gb, x, psn(T)));
    const h = psnRef(w, b, p);
    const fd = {
      w: finiteDiff((v) => smoothLoss(psnRef(v, b, p), p.g), w, 1e-6),
      b: finiteDiff((v) => smoothLoss(psnRef(w, v, p), p.g), b, 1e-6),
      x: finiteDiff((v) => smoothLoss(psnRef(w, b, { ...p, x: v }), p.g), p.x, 1e-6),
    };
    expectMatches(run(graph, p, { w, b }), h, denseGrads(w, p, h, () => 1), fd);
  });

  it('initialises W kaiming-uniform U(±1/√T) and b = −1', () => {
    const graph = trace((gb) => ({ s: buildPsn(gb, gb.input('x', SHAPE), psn(T)) }));
    const wNode = nodesOf(graph, 'param').find((n) => n.attrs.name === 'w')!;
    expect(wNode.attrs.init).toEqual({ kind: 'uniform', low: -1 / Math.sqrt(T), high: 1 / Math.sqrt(T) });
    const init = initParams(graph, { seed: 3 });
    const values = toArray(init.w!);
    expect(init.w!.type.shape).toEqual([T, T]);
    expect(values.every((v) => Math.abs(v) <= 1 / Math.sqrt(T))).toBe(true);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.8 / Math.sqrt(T)); // spread over the range
    expect(init.b!.type.shape).toEqual([T]);
    expect(toArray(init.b!)).toEqual(new Array(T).fill(-1));
  });

  it('rejects an input with the wrong number of steps, naming the layer', () => {
    expect(() => trace((gb) => ({ s: gb.scope('psn0', () => buildPsn(gb, gb.input('x', [T + 1, 3]), psn(T))) }))).toThrow(/psn0.*wrong number of time steps/);
  });
});

describe('masked PSN', () => {
  const k = 3;
  const w = randoms(T * T, 21, -0.6, 0.6);
  const b = randoms(T, 22, -1, 0.5);
  const p = problem(23);
  const parallel = lossGraph(SHAPE, (gb, x) => buildMaskedPsn(gb, x, maskedPsn(T, k)));

  for (const lambda of [0, 0.5, 1]) {
    it(`W_eff = W ⊙ (λ M_k + (1 − λ) J) at λ = ${lambda}: outputs and gradients`, () => {
      const h = maskedRef(w, b, p, k, lambda);
      const fd = {
        w: finiteDiff((v) => smoothLoss(maskedRef(v, b, p, k, lambda), p.g), w, 1e-6),
        b: finiteDiff((v) => smoothLoss(maskedRef(w, v, p, k, lambda), p.g), b, 1e-6),
        x: finiteDiff((v) => smoothLoss(maskedRef(w, b, { ...p, x: v }, k, lambda), p.g), p.x, 1e-6),
      };
      const got = run(parallel, p, { w, b }, lambda);
      expectMatches(got, h, denseGrads(w, p, h, (t, j) => maskFactor(lambda, k, t, j)), fd);
      // At λ = 1 only the band j ≤ t ≤ j + k − 1 of W is used.
      if (lambda === 1) {
        const outside = got.w.filter((_, n) => !(n % T <= Math.floor(n / T) && Math.floor(n / T) <= (n % T) + k - 1));
        expect(outside.map(Math.abs)).toEqual(new Array(outside.length).fill(0));
      }
    });
  }

  it('λ is one graph input: the same graph gives a plain PSN at λ = 0', () => {
    const plain = lossGraph(SHAPE, (gb, x) => buildPsn(gb, x, psn(T)));
    expect(run(parallel, p, { w, b }, 0)).toEqual(run(plain, p, { w, b }));
    // As SpikingJelly, λ ≥ 1 means the complete mask.
    expect(run(parallel, p, { w, b }, 1.5)).toEqual(run(parallel, p, { w, b }, 1));
    expect(parallel.inputs.map((id) => leafName(parallel.nodes[id]!))).toContain('lambda');
  });

  it('step by step (a scan carrying the last k inputs) equals the parallel form at λ = 1', () => {
    for (const order of [1, 3, T + 2]) {
      const par = lossGraph(SHAPE, (gb, x) => buildMaskedPsn(gb, x, maskedPsn(T, order)));
      const step = lossGraph(SHAPE, (gb, x) => buildMaskedPsn(gb, x, maskedPsn(T, order, { mode: 'step' })));
      expect(Object.values(step.nodes).some((n) => n.op === 'scan')).toBe(true);
      expect(step.inputs.length).toBe(2); // x and g: no λ
      const a = run(par, p, { w, b }, 1);
      const s = run(step, p, { w, b });
      expect(s.s, `k = ${order}`).toEqual(a.s);
      for (const key of ['w', 'b', 'x'] as const) expect(maxDiff(s[key], a[key]), `k = ${order}: grad/${key}`).toBeLessThan(1e-12);
    }
  });

  it('feeds the authors\' schedule λ = min(8·epoch/(epochs − 1), 1)', () => {
    expect([0, 1, 2, 3, 16].map((e) => maskedPsnLambda(e, 17))).toEqual([0, 0.5, 1, 1, 1]);
    expect(maskedPsnLambda(4, 41)).toBeCloseTo(0.8, 15);
    expect(maskedPsnLambda(0, 1)).toBe(1);
    expect(() => maskedPsnLambda(5, 5)).toThrow(SpikeflowError);
  });

  it('initialises W kaiming-uniform U(±1/√T) and b = −1', () => {
    const graph = trace((gb) => ({ s: buildMaskedPsn(gb, gb.input('x', SHAPE), maskedPsn(T, k)) }));
    const init = initParams(graph, { seed: 5 });
    expect(toArray(init.w!).every((v) => Math.abs(v) <= 1 / Math.sqrt(T))).toBe(true);
    expect(toArray(init.b!)).toEqual(new Array(T).fill(-1));
  });
});

describe('sliding PSN', () => {
  const k = 3;
  const w = randoms(k, 31, -0.8, 1.2);
  const b = -0.4;
  const p = problem(33);

  it('H[t] = Σ W_i X[t − k + 1 + i] + b with zeros before t = 0: outputs and gradients', () => {
    const graph = lossGraph(SHAPE, (gb, x) => buildSlidingPsn(gb, x, slidingPsn(k)));
    const h = slidingRef(w, b, p);
    const fd = {
      w: finiteDiff((v) => smoothLoss(slidingRef(v, b, p), p.g), w, 1e-6),
      b: finiteDiff((v) => smoothLoss(slidingRef(w, v[0]!, p), p.g), [b], 1e-6),
      x: finiteDiff((v) => smoothLoss(slidingRef(w, b, { ...p, x: v }), p.g), p.x, 1e-6),
    };
    expectMatches(run(graph, p, { w, b }), h, slidingGrads(w, p, h), fd);
  });

  it('works for any T, including T < k', () => {
    for (const steps of [1, 2, 12]) {
      const q = problem(40 + steps, steps, 5);
      const graph = lossGraph([steps, 5], (gb, x) => buildSlidingPsn(gb, x, slidingPsn(k)));
      const h = slidingRef(w, b, q);
      const got = run(graph, q, { w, b });
      expect(got.s).toEqual(h.map(heaviside));
      expect(maxDiff(got.x, slidingGrads(w, q, h).x)).toBeLessThan(1e-12);
    }
  });

  it('zero-pads the start: a worked example at the exponential init (spike at H = 0)', () => {
    // k = 3, W = [1/4, 1/2, 1], b = −1, one neuron, X = [1, 0.5, 0.5, 0.5]:
    // H0 = 1·1 − 1 = 0 → 1; H1 = ½·1 + 1·½ − 1 = 0 → 1; H2 = ¼·1 + ½·½ + ½ − 1 = 0 → 1;
    // H3 = ¼·½ + ½·½ + ½ − 1 = −0.125 → 0. Wrapping or non-zero padding would change H0 and H1.
    const graph = trace((gb) => ({ s: buildSlidingPsn(gb, gb.input('x', [4, 1]), slidingPsn(3)) }));
    const out = evaluate(graph, { inputs: { x: [1, 0.5, 0.5, 0.5] }, params: initParams(graph, { precision: 'f64' }) }, { precision: 'f64' });
    expect(toArray(out.outputs.s!)).toEqual([1, 1, 1, 0]);
  });

  it('initialises W = [2^−(k−1), …, 1/4, 1/2, 1] and a scalar b = −1, as SpikingJelly', () => {
    for (const [order, expected] of [
      [1, [1]],
      [3, [0.25, 0.5, 1]],
      [5, [0.0625, 0.125, 0.25, 0.5, 1]],
    ] as const) {
      const init = initParams(trace((gb) => ({ s: buildSlidingPsn(gb, gb.input('x', SHAPE), slidingPsn(order)) })));
      expect(toArray(init.w!)).toEqual(expected);
      expect(init.b!.type.shape).toEqual([]);
      expect(toArray(init.b!)).toEqual([-1]);
    }
    const kaiming = initParams(trace((gb) => ({ s: buildSlidingPsn(gb, gb.input('x', SHAPE), slidingPsn(4, { expInit: false })) })));
    expect(toArray(kaiming.w!).every((v) => Math.abs(v) <= 0.5)).toBe(true);
  });

  it('step by step (a scan carrying the last k inputs) equals the parallel form', () => {
    for (const order of [1, 3, T + 2]) {
      const wk = randoms(order, 50 + order, -0.8, 1.2);
      const par = lossGraph(SHAPE, (gb, x) => buildSlidingPsn(gb, x, slidingPsn(order)));
      const step = lossGraph(SHAPE, (gb, x) => buildSlidingPsn(gb, x, slidingPsn(order, { mode: 'step' })));
      expect(Object.values(step.nodes).some((n) => n.op === 'scan')).toBe(true);
      const a = run(par, p, { w: wk, b });
      const s = run(step, p, { w: wk, b });
      expect(s.s, `k = ${order}`).toEqual(a.s);
      expect(s.s).toEqual(slidingRef(wk, b, p).map(heaviside));
      for (const key of ['w', 'b', 'x'] as const) expect(maxDiff(s[key], a[key]), `k = ${order}: grad/${key}`).toBeLessThan(1e-12);
    }
  });
});

describe('PSN layers in sequential specs', () => {
  const library = { ...standardLayers, psn: psnLayer, maskedPsn: maskedPsnLayer, slidingPsn: slidingPsnLayer };
  const [B, I, H, C] = [2, 3, 4, 2];
  const input = { name: 'x', shape: [T, B, I] };

  /** x [T, B, I] @ w [I, O], as plain loops. */
  function linearRef(x: number[], w: number[], rows: number, inF: number, outF: number): number[] {
    const y: number[] = [];
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < outF; o++) {
        let sum = 0;
        for (let i = 0; i < inF; i++) sum += x[r * inF + i]! * w[i * outF + o]!;
        y.push(sum);
      }
    return y;
  }

  it('linear → PSN → linear → masked PSN → sliding PSN matches the formulas chained by hand', () => {
    const spec = sequential([linear(I, H), psn(T), linear(H, C), maskedPsn(T, 2), slidingPsn(2)]);
    const graph = buildSequential(spec, { input, library });
    const names = graph.params.map((id) => leafName(graph.nodes[id]!));
    expect(names).toEqual(['linear0/w', 'psn1/w', 'psn1/b', 'linear2/w', 'maskedPsn3/w', 'maskedPsn3/b', 'slidingPsn4/w', 'slidingPsn4/b']);
    expect(graph.inputs.map((id) => leafName(graph.nodes[id]!))).toEqual(['x', 'maskedPsn3/lambda']);

    const params = {
      'linear0/w': randoms(I * H, 61, -1.5, 1.5),
      'psn1/w': randoms(T * T, 62, -0.6, 0.6),
      'psn1/b': randoms(T, 63, -0.5, 0.2),
      'linear2/w': randoms(H * C, 64, -1.5, 1.5),
      'maskedPsn3/w': randoms(T * T, 65, -0.6, 0.9),
      'maskedPsn3/b': randoms(T, 66, -0.6, 0.1),
      'slidingPsn4/w': [0.5, 1],
      'slidingPsn4/b': -0.5,
    };
    const x = randoms(T * B * I, 67, 0, 1.5);
    const lambda = 0.5;
    const out = toArray(evaluate(graph, { inputs: { x, 'maskedPsn3/lambda': lambda }, params }, { precision: 'f64' }).outputs.output!);

    const h1 = linearRef(x, params['linear0/w'], T * B, I, H);
    const s1 = psnRef(params['psn1/w'], params['psn1/b'], { T, N: B * H, x: h1, g: [] }).map(heaviside);
    const h2 = linearRef(s1, params['linear2/w'], T * B, H, C);
    const s2 = maskedRef(params['maskedPsn3/w'], params['maskedPsn3/b'], { T, N: B * C, x: h2, g: [] }, 2, lambda).map(heaviside);
    const s3 = slidingRef(params['slidingPsn4/w'], params['slidingPsn4/b'], { T, N: B * C, x: s2, g: [] }).map(heaviside);
    expect(out).toEqual(s3);
    expect(new Set(s1)).toEqual(new Set([0, 1]));
    expect(new Set(s2)).toEqual(new Set([0, 1]));
  });

  it('round-trips through JSON with defaults (atan, parallel, exponential init) filled in', () => {
    const text = JSON.stringify({
      kind: 'sequential',
      layers: [{ kind: 'psn', T }, { kind: 'maskedPsn', T, k: 2 }, { kind: 'slidingPsn', k: 3 }],
    });
    const fromText = buildSequential(text, { input, library });
    const fromObjects = buildSequential(sequential([psn(T), maskedPsn(T, 2), slidingPsn(3)]), { input, library });
    expect(fromText).toEqual(fromObjects);
    expect(maskedPsn(T, 2)).toEqual({ kind: 'maskedPsn', T, k: 2, mode: 'parallel', surrogate: 'atan' });
    const spikes = nodesOf(fromText, 'spike');
    expect(spikes.map((n) => n.attrs.surrogate)).toEqual(new Array(3).fill({ kind: 'atan', alpha: 2 }));
  });

  it('trains in one training graph: λ stays an input fed per epoch, the scalar sliding b is updated', () => {
    const model = trace((gb) => {
      const x = gb.input('x', [T, B, I]);
      let h = gb.scope('linear0', () => buildLinear(gb, x, linear(I, H, { initScale: 3 })));
      h = gb.scope('maskedPsn1', () => buildMaskedPsn(gb, h, maskedPsn(T, 2)));
      const s = gb.scope('slidingPsn2', () => buildSlidingPsn(gb, h, slidingPsn(2)));
      return { loss: s.mean().sub(0.3).pow(2) };
    });
    const train = trainingGraph(model, { loss: 'loss', optimizer: sgd() });
    expect(train.inputs.map((id) => leafName(train.nodes[id]!))).toEqual(['x', 'maskedPsn1/lambda', 'lr']);
    const x = randoms(T * B * I, 71, 0, 1.5);
    const out = evaluate(train, { inputs: { x, 'maskedPsn1/lambda': maskedPsnLambda(1, 9), lr: 1 } });
    expect(out.state['slidingPsn2/b']!.type.shape).toEqual([]);
    expect(toArray(out.state['slidingPsn2/b']!)[0]).not.toBe(-1);
    expect(toArray(out.state['maskedPsn1/w']!)).not.toEqual(toArray(initParams(model)['maskedPsn1/w']!));
  });

  it('rejects bad PSN specs, naming the field or the layer', () => {
    const bad = (layers: unknown[]) => () => buildSequential(JSON.stringify({ kind: 'sequential', layers }), { input, library });
    expect(bad([{ kind: 'slidingPsn', k: 0 }])).toThrow(/layers\[0\]\.k/);
    expect(bad([{ kind: 'maskedPsn', T }])).toThrow(/layers\[0\]\.k/);
    expect(bad([{ kind: 'psn', T, surrogate: 'bogus' }])).toThrow(/layers\[0\]\.surrogate/);
    expect(bad([{ kind: 'psn', T: T - 1 }])).toThrow(/psn0.*wrong number of time steps/);
  });
});
