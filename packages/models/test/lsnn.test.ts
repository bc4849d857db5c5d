// The LSNN against a plain-JS loop over the ALIF equations (Bellec et al. 2018; docs/models/neurons.md, "ALIF"),
// never through the network's own graph code.
import { evaluate, SpikeflowError, toArray, trace, type Graph, type HostTensor, leafName, nodeAs } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { describe, expect, it } from 'vitest';
import { countActive, lsnn, smnistLsnn, storeRecallLsnn, type LsnnOptions } from '../src/lsnn/index.js';
import { testData } from '../../../test/support/test-data.js';

const randoms = (n: number, seed: number, lo: number, hi: number): number[] => testData(seed, n, lo, hi);

const [T, B, I, O] = [12, 2, 3, 2];
const [N_LIF, N_ALIF] = [2, 3];
const N = N_LIF + N_ALIF;
/** Short time constants and a high baseline, so 12 steps show spikes, adaptation and refractoriness. */
const DYNAMICS = { dt: 1, tauM: 4, tauA: 10, beta: 1.8, b0: 0.2, refractory: 3, tauOut: 5 } as const;
const N_REF = 3;

const x = randoms(T * B * I, 1, 0, 1);
const W_IN = randoms(I * N, 2, -0.4, 1.6);
/** The diagonal is not zero here: the network must ignore it. */
const W_REC = randoms(N * N, 3, -0.6, 0.6);
const W_OUT = randoms(N * O, 4, -1, 1);
const B_OUT = [0.25, -0.5];
const PARAMS = { 'lsnn/input/w': W_IN, 'lsnn/rec/w': W_REC, 'lsnn/out/w': W_OUT, 'lsnn/out/b': B_OUT };

interface Trajectory {
  /** Per step, [B, N] flattened. */
  readonly v: number[][];
  readonly a: number[][];
  readonly z: number[][];
  readonly r: number[][];
  /** Per step, [B, O] flattened. */
  readonly y: number[][];
  /** Spikes that the threshold allowed and the refractory period suppressed. */
  readonly blocked: number;
}

/** The equations, transcribed as loops in f64. */
function simulate(beta: number): Trajectory {
  const alpha = Math.exp(-DYNAMICS.dt / DYNAMICS.tauM);
  const rho = Math.exp(-DYNAMICS.dt / DYNAMICS.tauA);
  const kappa = Math.exp(-DYNAMICS.dt / DYNAMICS.tauOut);
  const b0 = DYNAMICS.b0;
  let v = new Array<number>(B * N).fill(0);
  let a = v.slice();
  let z = v.slice();
  let r = v.slice();
  const filtered = new Array<number>(B * O).fill(0);
  const out: Trajectory = { v: [], a: [], z: [], r: [], y: [], blocked: 0 };
  let blocked = 0;
  for (let t = 0; t < T; t++) {
    const [nv, na, nz, nr] = [v.slice(), a.slice(), z.slice(), r.slice()];
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < N; j++) {
        let current = 0;
        for (let i = 0; i < I; i++) current += x[(t * B + b) * I + i]! * W_IN[i * N + j]!;
        for (let k = 0; k < N; k++) if (k !== j) current += z[b * N + k]! * W_REC[k * N + j]!;
        const at = b * N + j;
        nv[at] = alpha * v[at]! + (1 - alpha) * current - z[at]! * b0;
        na[at] = rho * a[at]! + (1 - rho) * z[at]!;
        const threshold = b0 + (j < N_LIF ? 0 : beta) * na[at]!;
        const fires = (nv[at]! - threshold) / threshold >= 0;
        const refractory = r[at]! > 0;
        if (fires && refractory) blocked++;
        nz[at] = fires && !refractory ? 1 : 0;
        nr[at] = Math.min(Math.max(r[at]! + N_REF * nz[at]! - 1, 0), N_REF);
      }
    }
    [v, a, z, r] = [nv, na, nz, nr];
    const y: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < O; o++) {
        let drive = 0;
        for (let j = 0; j < N; j++) drive += z[b * N + j]! * W_OUT[j * O + o]!;
        filtered[b * O + o] = kappa * filtered[b * O + o]! + (1 - kappa) * drive;
        y.push(filtered[b * O + o]! + B_OUT[o]!);
      }
    }
    out.v.push(v);
    out.a.push(a);
    out.z.push(z);
    out.r.push(r);
    out.y.push(y);
  }
  return { ...out, blocked };
}

function network(options: Partial<LsnnOptions> = {}): Graph {
  const net = lsnn({ inputs: I, nLif: N_LIF, nAlif: N_ALIF, outputs: O, ...DYNAMICS, record: true, ...options });
  return trace((b) => {
    const p = net(b, b.input('x', [T, B, I]));
    const { voltage, adaptation, refractory } = p.recorded!;
    return { z: p.spikes, v: voltage, a: adaptation, r: refractory, y: p.readout, wRec: p.weights.recurrent };
  });
}

function run(g: Graph): Record<string, HostTensor> {
  return { ...evaluate(g, { inputs: { x }, params: PARAMS }, { precision: 'f64' }).outputs };
}

/** Step t of a [T, ...] output. */
function at(out: HostTensor, t: number): number[] {
  const size = out.data.length / T;
  return toArray(out).slice(t * size, (t + 1) * size);
}

const paramNames = (g: Graph) => g.params.map((id) => leafName(g.nodes[id]!));

describe('LSNN recurrent layer', () => {
  it('follows the ALIF equations step by step (v, a, z, refractory count, readout)', () => {
    const ref = simulate(DYNAMICS.beta);
    const out = run(network());
    for (let t = 0; t < T; t++) {
      for (const key of ['v', 'a', 'z', 'r', 'y'] as const) {
        const got = at(out[key]!, t);
        ref[key][t]!.forEach((want, k) => expect(Math.abs(got[k]! - want), `${key} at t=${t}, k=${k}`).toBeLessThan(1e-9));
      }
    }
    // The data exercises every rule: both populations fire, thresholds adapt, refractoriness bites.
    const spikes = (from: number, to: number) => ref.z.flat().filter((_, k) => k % N >= from && k % N < to && ref.z.flat()[k] === 1).length;
    expect(spikes(0, N_LIF)).toBeGreaterThan(2);
    expect(spikes(N_LIF, N)).toBeGreaterThan(2);
    expect(Math.max(...ref.a[T - 1]!)).toBeGreaterThan(0.05);
    expect(ref.blocked).toBeGreaterThan(0);
  });

  it('spaces the spikes of a neuron by at least n_ref steps', () => {
    const z = run(network()).z!;
    for (let k = 0; k < B * N; k++) {
      const times = Array.from({ length: T }, (_, t) => t).filter((t) => at(z, t)[k] === 1);
      times.slice(1).forEach((t, i) => expect(t - times[i]!).toBeGreaterThanOrEqual(N_REF));
    }
  });

  it('has no self-connections: the effective recurrent diagonal is 0', () => {
    const w = toArray(run(network()).wRec!);
    for (let j = 0; j < N; j++) expect(Math.abs(w[j * N + j]!)).toBe(0);
    expect(w[1]).toBeCloseTo(W_REC[1]!, 12);
  });

  it('β = 0 neurons are LIF: a fixed threshold b₀, whatever their adaptation variable does', () => {
    const out = run(network());
    const [v, z, r] = [out.v!, out.z!, out.r!];
    for (let t = 1; t < T; t++) {
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < N_LIF; j++) {
          const k = b * N + j;
          const free = at(r, t - 1)[k] === 0;
          if (free) expect(at(z, t)[k], `t=${t}, neuron ${j}`).toBe(at(v, t)[k]! >= DYNAMICS.b0 ? 1 : 0);
        }
      }
    }
    // With β = 0 everywhere, the mixed network is exactly an all-LIF one of the same weights.
    const allLif = run(network({ nLif: N, nAlif: 0 }));
    const noAdaptation = run(network({ beta: 0 }));
    for (const key of ['v', 'z', 'y']) expect(toArray(noAdaptation[key]!)).toEqual(toArray(allLif[key]!));
    expect(toArray(allLif.z!)).toEqual(simulate(0).z.flat());
    // ... and adaptation does change the ALIF neurons.
    expect(toArray(out.z!)).not.toEqual(toArray(allLif.z!));
  });
});

describe('LSNN builder', () => {
  it('names its params under its scope and lets gradients reach all of them', () => {
    const net = lsnn({ inputs: I, nLif: N_LIF, nAlif: N_ALIF, outputs: O, ...DYNAMICS, scope: 'memory' });
    const g = trace((b) => ({ loss: net(b, b.input('x', [T, B, I])).readout.mul(b.input('g', [T, B, O])).sum() }));
    expect(paramNames(g)).toEqual(['memory/input/w', 'memory/rec/w', 'memory/out/w', 'memory/out/b']);
    expect(Object.values(g.nodes).some((n) => n.op === 'scan' && n.name.startsWith('memory/rec/'))).toBe(true);
    const gg = grad(g, { of: 'loss', wrt: paramNames(g) });
    const params = Object.fromEntries(Object.entries(PARAMS).map(([k, v]) => [k.replace('lsnn/', 'memory/'), v]));
    const out = evaluate(gg, { inputs: { x, g: randoms(T * B * O, 5, -1, 1) }, params }).outputs;
    for (const name of paramNames(g)) {
      const gv = toArray(out[`grad/${name}`]!);
      expect(gv.every(Number.isFinite), name).toBe(true);
      expect(gv.some((v) => v !== 0), name).toBe(true);
    }
  });

  it('with DEEP R, trains θ at exactly the target connectivity, never on the diagonal', () => {
    const net = lsnn({ inputs: I, nLif: 10, nAlif: 10, outputs: O, deepR: { connectivity: 0.12, inputConnectivity: 0.5 }, seed: 7 });
    let pieces: ReturnType<typeof net> | undefined;
    const g = trace((b) => {
      pieces = net(b, b.input('x', [T, B, I]));
      return { y: pieces.readout };
    });
    expect(paramNames(g)).toEqual(['lsnn/input/theta', 'lsnn/rec/theta', 'lsnn/out/w', 'lsnn/out/b']);
    const byName = Object.fromEntries(g.params.map((id) => nodeAs(g, id, 'param').attrs).map((a) => [a.name, a]));
    const theta = (name: string) => {
      const init = byName[name]!.init;
      if (init.kind !== 'values') throw new Error(`${name} is not initialised by values`);
      return init.values;
    };
    const rec = theta('lsnn/rec/theta');
    expect(countActive(rec)).toBe(Math.round(0.12 * (20 * 20 - 20)));
    for (let j = 0; j < 20; j++) expect(rec[j * 20 + j]).toBe(0);
    expect(countActive(theta('lsnn/input/theta'))).toBe(Math.round(0.5 * I * 20));
    expect(pieces!.deepR.map((p) => [p.name, p.target])).toEqual([
      ['lsnn/input/theta', 30],
      ['lsnn/rec/theta', 46],
    ]);
  });

  it('rejects bad options naming the field, and an input of the wrong size', () => {
    const bad = (options: LsnnOptions, field: string) => {
      try {
        lsnn(options);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(SpikeflowError);
        expect((e as SpikeflowError).code).toBe('spec');
        expect((e as SpikeflowError).where).toBe(`lsnn.${field}`);
      }
    };
    bad({ inputs: 2, nLif: 0, nAlif: 0, outputs: 1 }, 'nLif');
    bad({ inputs: 2, nLif: 1, nAlif: 1, outputs: 1, tauA: -5 }, 'tauA');
    bad({ inputs: 2, nLif: 1, nAlif: 1, outputs: 1, deepR: { connectivity: 1.5 } }, 'deepR.connectivity');
    const net = lsnn({ inputs: 2, nLif: 1, nAlif: 1, outputs: 1 });
    expect(() => trace((b) => ({ y: net(b, b.input('x', [4, 1, 3])).readout }))).toThrow(/\[T, B, 2\]/);
  });

  it('presets: the reference sMNIST and store-recall setups', () => {
    expect(smnistLsnn()).toMatchObject({ nLif: 120, nAlif: 100, tauM: 20, tauA: 700, beta: 1.8, b0: 0.01, refractory: 5, dt: 1, outputs: 10 });
    expect(storeRecallLsnn({ inputs: 16, outputs: 2 }, { nAlif: 20 })).toMatchObject({ inputs: 16, outputs: 2, nLif: 10, nAlif: 20, tauA: 1200, beta: 1.7, refractory: 3 });
    // The presets build: 220 neurons of sMNIST on a pixel-by-pixel input.
    const net = lsnn(smnistLsnn());
    const g = trace((b) => ({ y: net(b, b.input('x', [784, 1, 1])).readout }));
    expect(g.nodes[g.outputs[0]!.node]!.type).toEqual({ shape: [784, 1, 10], dtype: 'f32' });
  });
});
