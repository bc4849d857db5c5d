import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, tensor, toArray, trace, type Graph, type HostTensor, type Shape, type Tensor } from '@spikeflow/core';
import { buildSequential } from '../src/index.js';
import { describe, expect, it } from 'vitest';
import { lif } from '../src/layers/lif.js';
import { standardLayers } from '../src/layers/library.js';
import { buildLinear, linear } from '../src/layers/linear.js';
import {
  plasticCarries,
  plasticity,
  plasticityStep,
  plasticLayers,
  plasticLinear,
  plasticRecurrent,
  readPlasticCarries,
  runPlasticLinear,
  runPlasticRecurrent,
  type PlasticitySpec,
  type PlasticLinearSpec,
  type PlasticRecurrentSpec,
  type PlasticState,
} from '../src/plasticity/index.js';
import { refPlasticLinear, refPlasticRecurrent, refStep, type Cube, type Mat, type RefParams, type RefState } from './support/plasticity-reference.js';
import { testData } from '../../../test/support/test-data.js';

const data = (seed: number, n: number, lo = -1, hi = 1): number[] => testData(seed, n, lo, hi);

type Nested = number | readonly Nested[];
const flat = (v: Nested): number[] => (typeof v === 'number' ? [v] : v.flatMap(flat));
const nest2 = (values: readonly number[], rows: number, cols: number): Mat => Array.from({ length: rows }, (_, r) => values.slice(r * cols, (r + 1) * cols));
const nest3 = (values: readonly number[], n: number, rows: number, cols: number): Cube =>
  Array.from({ length: n }, (_, k) => nest2(values.slice(k * rows * cols, (k + 1) * rows * cols), rows, cols));

function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, k) => expect(Math.abs(a - expected[k]!), `element ${k}: ${a} vs ${expected[k]}`).toBeLessThan(tolerance * Math.max(1, Math.abs(expected[k]!))));
}

/** One `plasticityStep` as a graph, evaluated on the given state and signals. */
function runStep(spec: PlasticitySpec, s: RefState, x: Mat, y: Mat, eta: number | number[] | Mat): RefState {
  const [batch, pre, post] = [x.length, x[0]!.length, y[0]!.length];
  const etaShape: Shape = typeof eta === 'number' ? [] : Array.isArray(eta[0]) ? [batch, post] : [batch];
  const g = trace((b) => {
    const state: PlasticState = {
      hebb: b.input('hebb', [batch, pre, post]),
      eligibility: s.eligibility ? b.input('e', [batch, pre, post]) : undefined,
      theta: s.theta ? b.input('theta', [batch, post]) : undefined,
    };
    const next = plasticityStep(spec, state, b.input('x', [batch, pre]), b.input('y', [batch, post]), b.input('eta', etaShape));
    const out: Record<string, Tensor> = { hebb: next.hebb };
    if (next.eligibility) out.e = next.eligibility;
    if (next.theta) out.theta = next.theta;
    return out;
  });
  const inputs: Record<string, number[]> = { hebb: flat(s.hebb), x: flat(x), y: flat(y), eta: flat(eta) };
  if (s.eligibility) inputs.e = flat(s.eligibility);
  if (s.theta) inputs.theta = flat(s.theta);
  const out = evaluate(g, { inputs }, { precision: 'f64' }).outputs;
  return {
    hebb: nest3(toArray(out.hebb!), batch, pre, post),
    eligibility: out.e ? nest3(toArray(out.e), batch, pre, post) : undefined,
    theta: out.theta ? nest2(toArray(out.theta), batch, post) : undefined,
  };
}

// One sample, 2 presynaptic and 2 postsynaptic units, η = 0.25, worked by hand below.
const hebb0: Cube = [
  [
    [0.5, -0.2],
    [0.1, 0],
  ],
];
const x0: Mat = [[1, 2]];
const y0: Mat = [[0.5, -1]];
// x yᵀ = [[1·0.5, 1·−1], [2·0.5, 2·−1]] = [[0.5, −1], [1, −2]].

describe('plasticity rules, one step worked by hand', () => {
  it('Hebbian trace: (1 − η)·Hebb + η·x yᵀ', () => {
    // 0.75·[[0.5, −0.2], [0.1, 0]] + 0.25·[[0.5, −1], [1, −2]]
    //   = [[0.375 + 0.125, −0.15 − 0.25], [0.075 + 0.25, 0 − 0.5]] = [[0.5, −0.4], [0.325, −0.5]].
    const next = runStep(plasticity({ update: 'trace' }), { hebb: hebb0 }, x0, y0, 0.25);
    expectClose(flat(next.hebb), [0.5, -0.4, 0.325, -0.5]);
  });

  it('clipped: clip(Hebb + η·x yᵀ, ±c)', () => {
    // Hebb + 0.25·x yᵀ = [[0.625, −0.45], [0.35, −0.5]]; clipped to ±0.45: [[0.45, −0.45], [0.35, −0.45]].
    const next = runStep(plasticity({ update: 'clip', clip: 0.45 }), { hebb: hebb0 }, x0, y0, 0.25);
    expectClose(flat(next.hebb), [0.45, -0.45, 0.35, -0.45]);
  });

  it("Oja: Δ_ij = y_j·(x_i − y_j·Hebb_ij)", () => {
    // Δ00 = 0.5·(1 − 0.5·0.5) = 0.375     Δ01 = −1·(1 − (−1)(−0.2)) = −0.8
    // Δ10 = 0.5·(2 − 0.5·0.1) = 0.975     Δ11 = −1·(2 − (−1)·0) = −2
    // Hebb + 0.25·Δ = [[0.5 + 0.09375, −0.2 − 0.2], [0.1 + 0.24375, 0 − 0.5]] (c = 10 does not bind).
    const next = runStep(plasticity({ rule: 'oja', update: 'clip', clip: 10 }), { hebb: hebb0 }, x0, y0, 0.25);
    expectClose(flat(next.hebb), [0.59375, -0.4, 0.34375, -0.5]);
  });

  it('BCM: Δ_ij = x_i·y_j·(y_j − θ_j) with the old θ, then θ ← (1 − r)·θ + r·y²', () => {
    // θ = [0.1, 0.5]: y_j(y_j − θ_j) = [0.5·0.4, −1·(−1.5)] = [0.2, 1.5]; Δ = x ⊗ that = [[0.2, 1.5], [0.4, 3]].
    // Hebb + 0.25·Δ = [[0.55, 0.175], [0.2, 0.75]].
    // r = 0.5, y² = [0.25, 1]: θ' = [0.1 + 0.5·0.15, 0.5 + 0.5·0.5] = [0.175, 0.75].
    const next = runStep(plasticity({ rule: 'bcm', update: 'clip', clip: 10, thetaRate: 0.5 }), { hebb: hebb0, theta: [[0.1, 0.5]] }, x0, y0, 0.25);
    expectClose(flat(next.hebb), [0.55, 0.175, 0.2, 0.75]);
    expectClose(flat(next.theta!), [0.175, 0.75]);
  });

  it('retroactive: Hebb ← clip(Hebb + M·E, ±c) with E as it was, then E ← (1 − η_E)·E + η_E·Δ', () => {
    // E = [[0.2, 0], [−0.4, 1]], M = −0.5, c = 0.45:
    //   Hebb + M·E = [[0.5 − 0.1, −0.2], [0.1 + 0.2, 0 − 0.5]] → clipped [[0.4, −0.2], [0.3, −0.45]].
    // η_E = 0.5, Δ = x yᵀ: E' = [[0.2 + 0.5·0.3, 0 + 0.5·(−1)], [−0.4 + 0.5·1.4, 1 + 0.5·(−3)]] = [[0.35, −0.5], [0.3, −0.5]].
    const spec = plasticity({ update: 'eligibility', eta: 'neuromodulated', clip: 0.45, eligibilityRate: 0.5 });
    const e: Cube = [
      [
        [0.2, 0],
        [-0.4, 1],
      ],
    ];
    const next = runStep(spec, { hebb: hebb0, eligibility: e }, x0, y0, [-0.5]);
    expectClose(flat(next.hebb), [0.4, -0.2, 0.3, -0.45]);
    expectClose(flat(next.eligibility!), [0.35, -0.5, 0.3, -0.5]);
  });
});

describe('plasticity rules against the plain-JS reference', () => {
  const rules = ['hebb', 'oja', 'bcm'] as const;
  const updates = ['trace', 'clip', 'eligibility'] as const;
  const [batch, pre, post] = [3, 4, 2];
  // η per spec, as the graph takes it: a scalar, one M(t) per sample [B], or per postsynaptic neuron [B, out].
  const etas: { label: string; value: number | number[] | Mat; at: (b: number, j: number) => number }[] = [
    { label: 'scalar η', value: 0.3, at: () => 0.3 },
    { label: 'M(t) per sample', value: [0.4, -0.7, 0.1], at: (b) => [0.4, -0.7, 0.1][b]! },
    { label: 'M(t) per neuron', value: nest2(data(9, batch * post), batch, post), at: (b, j) => data(9, batch * post)[b * post + j]! },
  ];
  for (const rule of rules) {
    for (const update of updates) {
      it(`${rule} with the ${update} update`, () => {
        const spec = plasticity({ rule, update, clip: 0.6, eligibilityRate: 0.3, thetaRate: 0.2 });
        const s: RefState = {
          hebb: nest3(data(1, batch * pre * post), batch, pre, post),
          eligibility: update === 'eligibility' ? nest3(data(2, batch * pre * post), batch, pre, post) : undefined,
          theta: rule === 'bcm' ? nest2(data(3, batch * post, 0, 1), batch, post) : undefined,
        };
        const x = nest2(data(4, batch * pre), batch, pre);
        const y = nest2(data(5, batch * post), batch, post);
        for (const eta of etas) {
          const got = runStep(spec, s, x, y, eta.value);
          const want = refStep(spec, s, x, y, eta.at);
          expectClose(flat(got.hebb), flat(want.hebb), 1e-12);
          if (want.eligibility) expectClose(flat(got.eligibility!), flat(want.eligibility), 1e-12);
          if (want.theta) expectClose(flat(got.theta!), flat(want.theta), 1e-12);
        }
      });
    }
  }
});

describe('state over several steps', () => {
  /** Runs `plasticityStep` through a scan over constant x = [[1]] and y for T steps; returns every step's state. */
  function unroll(spec: PlasticitySpec, y: number, steps: number, eta: number): Record<string, number[]> {
    const g = trace((b) => {
      const zero = b.constant(0, [1, 1, 1]);
      const start: PlasticState = { hebb: zero, eligibility: spec.update === 'eligibility' ? zero : undefined, theta: spec.rule === 'bcm' ? b.constant(0, [1, 1]) : undefined };
      const { outputs } = b.scan({
        length: steps,
        carries: plasticCarries(start),
        body: (bb, c) => {
          const next = plasticCarries(plasticityStep(spec, readPlasticCarries(spec, c), bb.constant(1, [1, 1]), bb.constant(y, [1, 1]), eta));
          return { carries: next, outputs: next };
        },
      });
      const state = readPlasticCarries(spec, outputs);
      return { hebb: state.hebb, ...(state.eligibility ? { e: state.eligibility } : {}), ...(state.theta ? { theta: state.theta } : {}) };
    });
    const out = evaluate(g, {}, { precision: 'f64' }).outputs;
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, toArray(v)]));
  }

  it('BCM: θ is the running mean of y², and Δ uses the θ of the steps before', () => {
    // y = 2, y² = 4, r = 0.5: θ = 0 → 2 → 3 → 3.5 (θ_n = 4·(1 − 0.5ⁿ)).
    // x = 1, η = 0.1, c = 100: Δ_t = 2·(2 − θ_{t−1}) = 4, 0, −2 → Hebb = 0.4, 0.4, 0.2.
    const s = unroll(plasticity({ rule: 'bcm', update: 'clip', clip: 100, thetaRate: 0.5 }), 2, 3, 0.1);
    expectClose(s.theta!, [2, 3, 3.5]);
    expectClose(s.hebb!, [0.4, 0.4, 0.2]);
  });

  it('eligibility: E accumulates Δ, and M reaches Hebb one step later', () => {
    // x = y = 1 (Δ = 1), η_E = 0.5: E = 0.5, 0.75, 0.875.
    // M = 1, c = 1: Hebb takes the E of the step before: 0 + 0 = 0, 0 + 0.5, 0.5 + 0.75 = 1.25 → clipped to 1.
    const s = unroll(plasticity({ update: 'eligibility', eligibilityRate: 0.5, clip: 1 }), 1, 3, 1);
    expectClose(s.e!, [0.5, 0.75, 0.875]);
    expectClose(s.hebb!, [0, 0.5, 1]);
  });
});

/** Random values for every param of a plastic layer: α large enough that plasticity matters, W scaled up so that LIF units fire. */
function layerParams(g: Graph, seed: number, weightScale = 1): Record<string, HostTensor> {
  const init = initParams(g, { precision: 'f64' });
  return Object.fromEntries(
    Object.entries(init).map(([name, t], k) => {
      const n = t.data.length;
      const w = 0.8 * (name.endsWith('w') || name.endsWith('w_in') ? weightScale : 1);
      const values = name.endsWith('eta') ? [0.3] : name.endsWith('alpha') ? data(seed + k, n, -1, 1) : data(seed + k, n, -w, w);
      return [name, tensor(t.type.shape, values, 'f32', 'f64')];
    }),
  );
}

function refParamsOf(p: Record<string, HostTensor>, scope: string, pre: number, post: number, input?: number): RefParams {
  const get = (n: string) => p[`${scope}/${n}`];
  const values = (n: string) => toArray(get(n)!);
  return {
    w: nest2(values('w'), pre, post),
    alpha: nest2(values('alpha'), pre, post),
    eta: get('eta') ? values('eta')[0] : undefined,
    modulatorW: get('modulator/w') ? values('modulator/w') : undefined,
    modulatorB: get('modulator/b') ? values('modulator/b')[0] : undefined,
    bias: get('b') ? values('b') : undefined,
    wIn: input === undefined ? undefined : nest2(values('w_in'), input, post),
  };
}

const [T, B, I, N] = [5, 2, 3, 4];
const xs = data(100, T * B * I, -1, 1.5);

type LayerCase = { label: string; spec: PlasticLinearSpec | PlasticRecurrentSpec; spikes?: boolean };
const layerCases: LayerCase[] = [
  { label: 'linear, tanh, Hebbian trace', spec: plasticLinear(I, N, { bias: true }) },
  { label: 'linear, LIF, clipped with traces', spec: plasticLinear(I, N, { unit: lif({ tau: 2 }), plasticity: { update: 'clip', clip: 0.5, traceDecay: 0.6 } }), spikes: true },
  { label: 'linear, tanh, neuromodulated BCM', spec: plasticLinear(I, N, { plasticity: { rule: 'bcm', update: 'clip', eta: 'neuromodulated' } }) },
  { label: 'recurrent, tanh, Hebbian trace', spec: plasticRecurrent(I, N, { bias: true }) },
  { label: 'recurrent, tanh, Oja', spec: plasticRecurrent(I, N, { plasticity: { rule: 'oja', update: 'clip', clip: 0.8 } }) },
  { label: 'recurrent, tanh, retroactive', spec: plasticRecurrent(I, N, { plasticity: { update: 'eligibility', eta: 'neuromodulated', clip: 0.7 } }) },
  {
    label: 'recurrent, LIF, neuromodulated with traces',
    spec: plasticRecurrent(I, N, { unit: lif({ tau: 2, vReset: null }), plasticity: { update: 'clip', eta: 'neuromodulated', traceDecay: 0.5 } }),
    spikes: true,
  },
];

function layerGraph(spec: PlasticLinearSpec | PlasticRecurrentSpec): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const run = b.scope('p', () => (spec.kind === 'plasticLinear' ? runPlasticLinear(b, x, spec) : runPlasticRecurrent(b, x, spec)));
    const out: Record<string, Tensor> = { y: run.outputs, hebb: run.hebb, loss: run.outputs.mul(b.input('r', run.outputs.shape)).sum() };
    if (run.modulation) out.m = run.modulation;
    return out;
  });
}

describe('plastic layers against the plain-JS reference', () => {
  for (const { label, spec, spikes } of layerCases) {
    it(label, () => {
      const g = layerGraph(spec);
      const params = layerParams(g, 7, spikes ? 3 : 1);
      const got = evaluate(g, { inputs: { x: tensor([T, B, I], xs, 'f32', 'f64'), r: tensor([T, B, N], data(8, T * B * N), 'f32', 'f64') }, params }, { precision: 'f64' }).outputs;
      const x = nest3(xs, T, B, I);
      const want =
        spec.kind === 'plasticLinear' ? refPlasticLinear(spec, refParamsOf(params, 'p', I, N), x) : refPlasticRecurrent(spec, refParamsOf(params, 'p', N, N, I), x);
      expectClose(toArray(got.y!), flat(want.outputs), 1e-9);
      expectClose(toArray(got.hebb!), flat(want.hebb), 1e-9);
      if (spec.plasticity.eta === 'neuromodulated') expectClose(toArray(got.m!), flat(want.modulation), 1e-9);
      const ys = toArray(got.y!);
      if (spikes) expect(ys.some((v) => v === 1) && ys.some((v) => v === 0), 'the LIF units both spike and stay silent').toBe(true);
      expect(Math.max(...toArray(got.hebb!).map(Math.abs)), 'Hebb really moved').toBeGreaterThan(1e-3);
    });
  }
});

describe('episodes', () => {
  it('Hebb is a scan carry that starts at zero every call: nothing leaks between episodes', () => {
    const spec = plasticRecurrent(I, N, { plasticity: { alphaInit: 0.5 } });
    const g = layerGraph(spec);
    expect(g.state).toEqual([]); // no state leaf: Hebb cannot outlive a call
    const params = initParams(g);
    const run = (x: number[]) => evaluate(g, { inputs: { x, r: data(8, T * B * N) }, params }).outputs;
    const episodeA = run(xs);
    const episodeB = run(data(200, T * B * I, -1, 1.5));
    const again = run(xs);
    expect(Math.max(...toArray(episodeB.hebb!).map(Math.abs))).toBeGreaterThan(1e-2); // there was something to leak
    expect(toArray(again.y!)).toEqual(toArray(episodeA.y!));
    expect(toArray(again.hebb!)).toEqual(toArray(episodeA.hebb!));
  });

  it('the first step sees W alone: Hebb is zero before any coincidence', () => {
    // Feed-forward: y_0 = tanh(x_0 W) whatever α is.
    const spec = plasticLinear(I, N, { plasticity: { alphaInit: 0.5 } });
    const g = layerGraph(spec);
    const params = initParams(g);
    const y = toArray(evaluate(g, { inputs: { x: xs, r: data(8, T * B * N) }, params }).outputs.y!);
    const w = toArray(params['p/w']!);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < N; j++) {
        let a = 0;
        for (let i = 0; i < I; i++) a += xs[b * I + i]! * w[i * N + j]!;
        expect(y[b * N + j]).toBeCloseTo(Math.tanh(a), 6);
      }
    }
  });
});

describe('gradients of plastic networks against finite differences (f64)', () => {
  const smooth = layerCases.filter((c) => c.spikes !== true);
  for (const { label, spec } of smooth) {
    it(label, () => {
      const g = layerGraph(spec);
      const names = Object.keys(initParams(g));
      const gg = grad(g, { of: 'loss', wrt: names });
      const params = layerParams(g, 11);
      const inputs = { x: tensor([T, B, I], xs, 'f32', 'f64'), r: tensor([T, B, N], data(8, T * B * N), 'f32', 'f64') };
      const analytic = evaluate(gg, { inputs, params }, { precision: 'f64' }).outputs;
      const loss = (p: Record<string, HostTensor>) => toArray(evaluate(g, { inputs, params: p }, { precision: 'f64' }).outputs.loss!)[0]!;
      const eps = 1e-6;
      let worst = 0;
      for (const name of names) {
        const base = toArray(params[name]!);
        const a = toArray(analytic[`grad/${name}`]!);
        expect(Math.max(...a.map(Math.abs)), `grad/${name} is not identically zero`).toBeGreaterThan(1e-8);
        base.forEach((v, k) => {
          const at = (d: number) => loss({ ...params, [name]: tensor(params[name]!.type.shape, base.map((u, j) => (j === k ? v + d : u)), 'f32', 'f64') });
          const numeric = (at(eps) - at(-eps)) / (2 * eps);
          worst = Math.max(worst, Math.abs(a[k]! - numeric) / Math.max(1, Math.abs(numeric)));
        });
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }
});

describe('specs', () => {
  it('reject bad options, naming the field', () => {
    expect(() => plasticity({ traceDecay: 1 })).toThrow(/traceDecay/);
    expect(() => plasticity({ clip: 0 })).toThrow(/clip/);
    expect(() => plasticity({ eligibilityRate: 1.5 })).toThrow(/eligibilityRate/);
    expect(() => plasticLinear(3, 0)).toThrow();
    expect(() => trace((b) => ({ y: runPlasticLinear(b, b.input('x', [T, B, I + 1]), plasticLinear(I, N)).outputs }))).toThrow(/\[T, B, 3\]/);
  });

  it('the plastic layers build from a JSON spec with defaults filled in, like the traced layer', () => {
    const library = { ...standardLayers, ...plasticLayers };
    const text = JSON.stringify({ kind: 'sequential', layers: [{ kind: 'plasticRecurrent', in: I, hidden: N, plasticity: { rule: 'oja' } }, { kind: 'linear', in: N, out: 2 }] });
    const fromText = buildSequential(text, { input: { name: 'x', shape: [T, B, I] }, library });
    const byHand = trace((b) => {
      const x = b.input('x', [T, B, I]);
      const h = b.scope('plasticRecurrent0', () => runPlasticRecurrent(b, x, plasticRecurrent(I, N, { plasticity: { rule: 'oja' } })).outputs);
      return { output: b.scope('linear1', () => buildLinear(b, h, linear(N, 2))) };
    });
    expect(fromText).toEqual(byHand);
  });
});
