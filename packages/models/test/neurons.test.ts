import { grad } from '@spikeflow/autodiff';
import { evaluate, GraphBuilder, initParams, SpikeflowError, toArray, trace, type Graph, type Tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { buildLinear, buildSequential, linear, sequential, standardLayers } from '../src/index.js';
import { alif, alifNeuron, defineNeuron, type NeuronRun, ifNeuron, integrateAndFire, leakyIntegrator, leakyIntegratorNeuron, lifNeuron, plif, plifNeuron } from '../src/neurons/index.js';

/** Runs a neuron layer over x [T, ...] on the CPU reference in f64: the outputs and the final state. */
function simulate(layer: (b: GraphBuilder, x: Tensor) => NeuronRun<string>, shape: number[], x: number[]): { out: number[]; state: Record<string, number[]> } {
  const g = trace((b) => {
    const { output, state } = layer(b, b.input('x', shape));
    return { out: output, ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`state/${k}`, v])) };
  });
  const outputs = evaluate(g, { inputs: { x }, params: initParams(g, { precision: 'f64' }) }, { precision: 'f64' }).outputs;
  const state = Object.fromEntries(Object.entries(outputs).filter(([k]) => k.startsWith('state/')).map(([k, v]) => [k.slice(6), toArray(v)]));
  return { out: toArray(outputs.out!), state };
}

describe('IF', () => {
  it('integrates without leak, with the hard and the soft reset', () => {
    // x = [0.6, 0.6, 0.3, 1.5], V_th = 1. Hard: H = 0.6, 1.2 (S, V=0), 0.3, 1.8 (S, V=0).
    expect(simulate((b, x) => ifNeuron.run(b, x), [4, 1], [0.6, 0.6, 0.3, 1.5])).toEqual({ out: [0, 1, 0, 1], state: { v: [0] } });
    // Soft: H = 0.6, 1.2 (S, V=0.2), 0.5, 2.0 (S, V=1.0).
    const soft = simulate((b, x) => ifNeuron.run(b, x, { vReset: null }), [4, 1], [0.6, 0.6, 0.3, 1.5]);
    expect(soft.out).toEqual([0, 1, 0, 1]);
    expect(soft.state.v![0]).toBeCloseTo(1.0, 12);
  });
});

describe('LIF', () => {
  it('without decayInput charges H = V - (V - V_reset)/tau + X', () => {
    // tau = 2, x = 0.8: H1 = 0.8 -> V = 0.8; H2 = 0.8 - 0.4 + 0.8 = 1.2 -> S, V = 0; H3 = 0.8.
    const r = simulate((b, x) => lifNeuron.run(b, x, { decayInput: false }), [3, 1], [0.8, 0.8, 0.8]);
    expect(r.out).toEqual([0, 1, 0]);
    expect(r.state.v![0]).toBeCloseTo(0.8, 12);
  });

  it('starts at and resets to a non-zero V_reset', () => {
    // V_reset = -0.5, tau = 2: V0 = -0.5; H1 = -0.5 + (1.5 - 0)/2 = 0.25; H2 = 0.25 + (3 - 0.75)/2 = 1.375 -> S,
    // V = -0.5; H3 = -0.5 + (0 - 0)/2 = -0.5.
    const r = simulate((b, x) => lifNeuron.run(b, x, { vReset: -0.5 }), [3, 1], [1.5, 3, 0]);
    expect(r.out).toEqual([0, 1, 0]);
    expect(r.state.v![0]).toBeCloseTo(-0.5, 12);
  });
});

describe('PLIF', () => {
  it('leaks by sigmoid(w) with w initialised to -log(initTau - 1)', () => {
    // initTau = 4: w = -log 3, sigmoid(w) = 1/(1 + 3) = 0.25. x = 2: H1 = 0.5; H2 = 0.5 + 1.5/4 = 0.875;
    // H3 = 0.875 + 1.125/4 = 1.15625 -> S, V = 0.
    expect(simulate((b, x) => plifNeuron.run(b, x, { initTau: 4 }), [3, 1], [2, 2, 2])).toEqual({ out: [0, 0, 1], state: { v: [0] } });
    const g = trace((b) => ({ s: b.scope('plif', () => plifNeuron.apply(b, b.input('x', [3, 1]), { initTau: 4 })) }));
    const w = Object.values(g.nodes).find((n) => n.op === 'param')!;
    expect(w.attrs).toMatchObject({ name: 'plif/w', shape: [], init: { kind: 'fill', value: -Math.log(3) } });
  });

  // x [T, N] with w shared by the N neurons; the loss weighs the spikes by c and the final membrane by g.
  const [T, N] = [6, 3];
  const x = [1.3, 0.4, 2.1, 0.9, 1.7, 0.2, 1.1, 2.5, 0.8, 0.3, 1.9, 1.2, 1.6, 0.7, 0.5, 2.2, 1.0, 1.4].map((v) => 1.5 * v);
  const c = [0.5, -1.0, 0.8, 0.3, -0.6, 1.1, -0.2, 0.9, 0.4, 1.3, -0.7, 0.6, 0.2, -0.4, 1.0, -0.9, 0.7, 0.1];
  const gv = [0.9, -0.6, 1.4];
  /** The loss as a function of w, and its gradient, on the CPU reference in f64. */
  const problem = (options: { detachReset: boolean; vReset: number | null; spikeTerm: boolean }) => {
    const graph = trace((b) => {
      const { output, state } = b.scope('plif', () => plifNeuron.run(b, b.input('x', [T, N]), { detachReset: options.detachReset, vReset: options.vReset, surrogate: 'sigmoid', alpha: 4 }));
      const membrane = state.v.mul(b.input('g', [N])).sum();
      const loss = options.spikeTerm ? membrane.add(output.mul(b.input('c', [T, N])).sum()) : membrane;
      return { loss, s: output };
    });
    const gradient = grad(graph, { of: 'loss', wrt: ['plif/w'] });
    const inputs: Record<string, number[]> = options.spikeTerm ? { x, c, g: gv } : { x, g: gv };
    const feeds = (w: number) => ({ inputs, params: { 'plif/w': [w] } });
    return {
      lossAt: (w: number) => toArray(evaluate(graph, feeds(w), { precision: 'f64' }).outputs.loss!)[0]!,
      gradAt: (w: number) => {
        const out = evaluate(gradient, feeds(w), { precision: 'f64' }).outputs;
        return { grad: toArray(out['grad/plif/w']!)[0]!, spikes: toArray(out.s!).reduce((a, v) => a + v, 0) };
      },
    };
  };

  it("gradient of w matches finite differences where the spikes' only path is the detached reset", () => {
    // With detachReset and the loss on the final membrane, w acts only through the membrane, which is
    // smooth between changes of the spike pattern: the surrogate gradient is the true derivative.
    // The soft reset V = H - S keeps V_T away from a constant.
    const { lossAt, gradAt } = problem({ detachReset: true, vReset: null, spikeTerm: false });
    for (const w of [-0.4, 0.3]) {
      const eps = 1e-6;
      const fd = (lossAt(w + eps) - lossAt(w - eps)) / (2 * eps);
      const { grad: analytic, spikes } = gradAt(w);
      expect(spikes).toBeGreaterThan(3); // resets really happen on the way
      expect(Math.abs(fd)).toBeGreaterThan(1e-2);
      expect(Math.abs(analytic - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });

  it('gradient of w through the spikes matches forward-mode differentiation with the sigmoid surrogate', () => {
    // An independent forward-mode pass in plain JS: carry (V, dV/dw); dS/dw = g'(H - 1)·dH/dw with the
    // sigmoid surrogate g'(u) = 4·σ(4u)(1 - σ(4u)); hard reset V = H(1 - S), not detached.
    const sigma = (u: number) => 1 / (1 + Math.exp(-u));
    const forwardMode = (w: number) => {
      const k = sigma(w);
      const dk = k * (1 - k);
      let dLoss = 0;
      for (let n = 0; n < N; n++) {
        let [v, dv] = [0, 0];
        for (let t = 0; t < T; t++) {
          const xt = x[t * N + n]!;
          const h = v + (xt - v) * k;
          const dh = dv * (1 - k) + (xt - v) * dk;
          const s = h - 1 >= 0 ? 1 : 0;
          const ds = 4 * sigma(4 * (h - 1)) * (1 - sigma(4 * (h - 1))) * dh;
          dLoss += c[t * N + n]! * ds;
          [v, dv] = [h * (1 - s), dh * (1 - s) - h * ds];
        }
        dLoss += gv[n]! * dv;
      }
      return dLoss;
    };
    const { gradAt } = problem({ detachReset: false, vReset: 0, spikeTerm: true });
    for (const w of [-0.4, 0.3]) {
      const { grad: analytic, spikes } = gradAt(w);
      expect(spikes).toBeGreaterThan(3);
      expect(analytic).toBeCloseTo(forwardMode(w), 10);
    }
  });
});

describe('ALIF', () => {
  // dt = 1 and tauM = tauA = 1/ln 2 give alpha = rho = 0.5 exactly; b0 = 1, constant I = 4.4, so (1 - alpha)I = 2.2.
  const halfLife = 1 / Math.LN2;
  const base = { tauM: halfLife, tauA: halfLife, b0: 1, nRef: 0 };
  const input = Array.from({ length: 8 }, () => 4.4);

  it('raises its threshold after each spike (beta = 2) and fires less than the LIF (beta = 0)', () => {
    // Each step: v' = v/2 + 2.2 - z, a' = a/2 + z/2, A' = 1 + 2a', z' = [v' >= A'] (emitted).
    // t0: v 2.2, a 0, A 1 -> z 1.
    // t1: v 1.1 + 2.2 - 1 = 2.3, a 0.5, A 2 -> z 1.
    // t2: v 2.35, a 0.75, A 2.5 -> z 0.
    // t3: v 1.175 + 2.2 = 3.375, a 0.375, A 1.75 -> z 1.
    // t4: v 2.8875, a 0.6875, A 2.375 -> z 1.
    // t5: v 2.64375, a 0.84375, A 2.6875 -> z 0.
    // t6: v 1.321875 + 2.2 = 3.521875, a 0.421875, A 1.84375 -> z 1.
    // t7: v 1.7609375 + 2.2 - 1 = 2.9609375, a 0.2109375 + 0.5 = 0.7109375, A 2.421875 -> z 1.
    const adaptive = simulate((b, x) => alifNeuron.run(b, x, { ...base, beta: 2 }), [8, 1], input);
    expect(adaptive.out).toEqual([1, 1, 0, 1, 1, 0, 1, 1]);
    expect(adaptive.state.v![0]).toBeCloseTo(2.9609375, 12);
    expect(adaptive.state.a![0]).toBeCloseTo(0.7109375, 12);
    expect(adaptive.state.z).toEqual([1]);
    // beta = 0: A stays 1 while v' >= 2.2 - 1 + 1.1 = 2.3 after a spike, so it fires every step.
    expect(simulate((b, x) => alifNeuron.run(b, x, { ...base, beta: 0 }), [8, 1], input).out).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('keeps two spikes at least nRef steps apart', () => {
    // beta = 0, nRef = 3: r' = clip(r + 3z' - 1, 0, 3). t0 fires (v 2.2), r 2; t1 (v 2.3) and t2 (v 3.35)
    // are refractory (r 2, then 1) and not reset; t3 fires (v 1.675 + 2.2 = 3.875); t4, t5 blocked; t6 fires.
    const r = simulate((b, x) => alifNeuron.run(b, x, { ...base, beta: 0, nRef: 3 }), [8, 1], input);
    expect(r.out).toEqual([1, 0, 0, 1, 0, 0, 1, 0]);
    const after = (t: number) => simulate((b, x) => alifNeuron.run(b, x, { ...base, beta: 0, nRef: 3 }), [t, 1], input.slice(0, t)).state;
    expect(after(3).v![0]).toBeCloseTo(3.35, 12);
    expect(after(3).r).toEqual([0]);
    expect(after(4).v![0]).toBeCloseTo(3.875, 12);
    expect(after(4).r).toEqual([2]);
  });

  it('keeps dt, the time constants and the threshold rule explicit in its spec', () => {
    expect(alif()).toEqual({ kind: 'alif', dt: 1, tauM: 20, tauA: 700, beta: 1.8, b0: 0.01, nRef: 5, gamma: 0.3, detachReset: false });
  });
});

describe('leaky integrator', () => {
  it('filters its input without spiking: v_{t+1} = alpha v_t + (1 - alpha) I_t', () => {
    // alpha = 0.5: v = 0.5·2 = 1, then 0.5, then 0.25 + 0.5·4 = 2.25.
    const r = simulate((b, x) => leakyIntegratorNeuron.run(b, x, { tau: 1 / Math.LN2 }), [3, 1], [2, 0, 4]);
    expect(r.out).toEqual([1, 0.5, 2.25]);
  });
});

describe('defineNeuron', () => {
  it('gives one scan whose carries are the state, starting from constants', () => {
    const g = trace((b) => ({ z: alifNeuron.apply(b, b.input('x', [5, 2, 3])) }));
    const scans = Object.values(g.nodes).filter((n) => n.op === 'scan');
    expect(scans).toHaveLength(1);
    const carries = scans[0]!.inputs.slice(0, 4).map((id) => g.nodes[id]!);
    expect(carries.map((n) => [n.op, n.attrs])).toEqual([0, 0, 0, 0].map((v) => ['constant', { shape: [2, 3], dtype: 'f32', value: v }]));
  });

  it('steps inside a scan of your own exactly as the layer runs', () => {
    const [T, N] = [5, 4];
    const xs = [0.9, 1.4, 0.2, 2.0, 1.1, 0.6, 1.8, 0.4, 0.3, 1.2, 1.6, 0.8, 2.2, 0.1, 0.7, 1.5, 1.0, 0.5, 1.3, 1.9];
    const layer = trace((b) => ({ s: b.scope('p', () => plifNeuron.apply(b, b.input('x', [T, N]), { initTau: 3 })) }));
    const byHand = trace((b) => {
      const x = b.input('x', [T, N]);
      const s = b.scope('p', () => {
        const params = plifNeuron.createParams(b, [N], { initTau: 3 });
        const { v } = plifNeuron.initialState(b, [N], { initTau: 3 });
        return b.scan({
          carries: [v],
          sequences: [x],
          body: (bb, [vt], [xt]) => {
            const next = plifNeuron.step(bb, { v: vt! }, xt!, { attrs: { initTau: 3 }, params });
            return { carries: [next.state.v], outputs: [next.output] };
          },
        }).outputs[0]!;
      });
      return { s };
    });
    const run = (g: Graph) => toArray(evaluate(g, { inputs: { x: xs }, params: initParams(g, { precision: 'f64' }) }, { precision: 'f64' }).outputs.s!);
    expect(run(byHand)).toEqual(run(layer));
    expect(run(layer).some((v) => v === 1)).toBe(true);
  });

  it('names what is wrong: a missing state, a missing learnable param, a bad attr', () => {
    const broken = defineNeuron({
      kind: 'broken',
      state: { v: { init: 0 }, u: { init: 0 } },
      step: ({ state, input, spike }) => ({ state: { v: state.v.add(input) } as unknown as typeof state, spike: spike(state.v) }),
    });
    expect(() => trace((b) => ({ s: broken.apply(b, b.input('x', [2, 1])) }))).toThrow(/did not return state 'u'/);
    const b = new GraphBuilder();
    expect(() => plifNeuron.step(b, { v: b.constant(0, [1]) }, b.input('x', [1]))).toThrow(/learnable param 'w'.*createParams/);
    expect(() => alif({ nRef: 1.5 })).toThrow(SpikeflowError);
    expect(() => alif({ nRef: 1.5 })).toThrow(/alif\.nRef/);
  });
});

describe('neurons in declarative specs', () => {
  const input = { name: 'x', shape: [4, 2, 3] };
  const spec = sequential([linear(3, 5), plif({ initTau: 3 }), linear(5, 4), alif({ b0: 0.5, nRef: 1 }), leakyIntegrator({ tau: 5 })]);

  it('give the graph of the same layers traced by hand', () => {
    const declarative = buildSequential(spec, { input, library: standardLayers });
    const b = new GraphBuilder();
    let x = b.input('x', [4, 2, 3]);
    x = b.scope('linear0', () => buildLinear(b, x, linear(3, 5)));
    x = b.scope('plif1', () => plifNeuron.apply(b, x, { initTau: 3 }));
    x = b.scope('linear2', () => buildLinear(b, x, linear(5, 4)));
    x = b.scope('alif3', () => alifNeuron.apply(b, x, { b0: 0.5, nRef: 1 }));
    x = b.scope('li4', () => leakyIntegratorNeuron.apply(b, x, { tau: 5 }));
    expect(declarative).toEqual(b.finish({ output: x }));
    expect(declarative.params.map((id) => (declarative.nodes[id]!.attrs as { name: string }).name)).toEqual(['linear0/w', 'plif1/w', 'linear2/w']);
  });

  it('round-trip through JSON and reject bad attrs naming the field', () => {
    const fromText = buildSequential(JSON.stringify(spec), { input, library: standardLayers });
    expect(fromText).toEqual(buildSequential(spec, { input, library: standardLayers }));
    const bad = JSON.stringify({ kind: 'sequential', layers: [{ kind: 'if' }, { kind: 'plif', initTau: 1 }] });
    expect(() => buildSequential(bad, { input, library: standardLayers })).toThrow(/layers\[1\]\.initTau/);
    const out = evaluate(buildSequential(sequential([integrateAndFire()]), { input: { name: 'x', shape: [2, 1] }, library: standardLayers }), { inputs: { x: [0.7, 0.7] } });
    expect(toArray(out.outputs.output!)).toEqual([0, 1]);
  });
});
