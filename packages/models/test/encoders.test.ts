// Spike encoders as graph ops, against spike trains worked by hand, and their inverses against
// the stated quantisation.
import { evaluate, toArray, trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import {
  deltaDecode,
  deltaEncode,
  latencyDecode,
  latencyEncode,
  populationDecode,
  populationEncode,
  RANDOM_STEP_INPUT,
  rateDecode,
  rateEncode,
  type LatencyOptions,
} from '../src/index.js';
import { thrown } from './support/thrown.js';

/** Runs `f` over the input x (shape of `values`, given) and returns every output as numbers. */
function run(shape: readonly number[], values: readonly number[], f: (b: GraphBuilder, x: Tensor) => Record<string, Tensor>, feeds: Record<string, number> = {}): Record<string, number[]> {
  const g: Graph = trace((b) => f(b, b.input('x', shape)));
  const out = evaluate(g, { inputs: { x: [...values], ...feeds } }).outputs;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, toArray(v)]));
}

/** Element i's train from a time-major [T, N] array. */
const train = (flat: readonly number[], n: number, i: number) => flat.filter((_, k) => k % n === i);

describe('rate coding', () => {
  it('spikes where the same Philox uniform falls below p = clamp(gain·x, 0, 1)', () => {
    const x = [0, 1, 0.25, 2, -1, 0.5];
    const out = run([6], x, (b, t) => ({ s: rateEncode(b, t, { steps: 5, gain: 1, seed: 9, counter: 3 }), u: b.uniform([5, 6], 9, 3) }));
    const p = x.map((v) => Math.min(1, Math.max(0, v)));
    expect(out.s).toEqual(out.u!.map((u, k) => (u < p[k % 6]! ? 1 : 0)));
    expect(train(out.s!, 6, 0)).toEqual([0, 0, 0, 0, 0]);
    expect(train(out.s!, 6, 1)).toEqual([1, 1, 1, 1, 1]);
    expect(train(out.s!, 6, 3)).toEqual([1, 1, 1, 1, 1]);
    expect(train(out.s!, 6, 4)).toEqual([0, 0, 0, 0, 0]);
  });

  it('draws new spikes at each value of the trainer\'s randomStep input', () => {
    const f = (b: GraphBuilder, t: Tensor) => ({ s: rateEncode(b, t, { steps: 64, seed: 1 }) });
    const a = run([4], [0.5, 0.5, 0.5, 0.5], f, { [RANDOM_STEP_INPUT]: 0 }).s!;
    const c = run([4], [0.5, 0.5, 0.5, 0.5], f, { [RANDOM_STEP_INPUT]: 1 }).s!;
    expect(a).not.toEqual(c);
    expect(run([4], [0.5, 0.5, 0.5, 0.5], f, { [RANDOM_STEP_INPUT]: 0 }).s).toEqual(a);
  });

  it('decodes to the mean over T divided by the gain, within 5 standard deviations of the binomial', () => {
    const T = 4000;
    const x = [0.05, 0.2, 0.3, 0.45];
    const gain = 2;
    const out = run([4], x, (b, t) => ({ d: rateDecode(rateEncode(b, t, { steps: T, gain, seed: 4, counter: 0 }), gain) }));
    x.forEach((v, i) => {
      const p = gain * v;
      expect(Math.abs(out.d![i]! - v), `x = ${v}`).toBeLessThan((5 * Math.sqrt((p * (1 - p)) / T)) / gain);
    });
  });
});

describe('latency coding', () => {
  const linear: LatencyOptions = { steps: 5, threshold: 0.01 };

  it('linear: one spike at round((1 − x̂)(T − 1)), none below the threshold', () => {
    const x = [1, 0.5, 0.26, 0, 0.004, 0.9];
    const s = run([6], x, (b, t) => ({ s: latencyEncode(b, t, linear) })).s!;
    expect(train(s, 6, 0)).toEqual([1, 0, 0, 0, 0]);
    expect(train(s, 6, 1)).toEqual([0, 0, 1, 0, 0]);
    expect(train(s, 6, 2)).toEqual([0, 0, 0, 1, 0]); // round(2.96)
    expect(train(s, 6, 3)).toEqual([0, 0, 0, 0, 0]);
    expect(train(s, 6, 4)).toEqual([0, 0, 0, 0, 0]);
    expect(train(s, 6, 5)).toEqual([1, 0, 0, 0, 0]); // round(0.4)
  });

  it('maps [low, high] onto [0, 1] first', () => {
    const s = run([3], [3, 1, -5], (b, t) => ({ s: latencyEncode(b, t, { steps: 5, low: -1, high: 3 }) })).s!;
    expect(train(s, 3, 0)).toEqual([1, 0, 0, 0, 0]);
    expect(train(s, 3, 1)).toEqual([0, 0, 1, 0, 0]);
    expect(train(s, 3, 2)).toEqual([0, 0, 0, 0, 0]);
  });

  it('log: t = round((T − 1)·ln x̂ / ln θ), so with θ = 1/8 and T = 4 each halving is one step later', () => {
    const options: LatencyOptions = { steps: 4, threshold: 1 / 8, scale: 'log' };
    const x = [1, 0.5, 0.25, 0.125, 0.1, 0.3];
    const out = run([6], x, (b, t) => {
      const s = latencyEncode(b, t, options);
      return { s, d: latencyDecode(b, s, options) };
    });
    expect([0, 1, 2, 3, 4, 5].map((i) => train(out.s!, 6, i))).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [0, 0, 0, 0],
      [0, 0, 1, 0], // log2(1/0.3) = 1.74
    ]);
    const expected = [1, 0.5, 0.25, 0.125, 0, 0.25];
    out.d!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('decodes the first spike time back to the value: linear within (high − low)/(2(T − 1)), log within |ln θ|/(2(T − 1)) in ln x̂', () => {
    const values = Array.from({ length: 200 }, (_, k) => 0.02 + (0.98 * k) / 199);
    const lin = { steps: 9, low: 0, high: 2 } as const;
    const l = run([200], values.map((v) => 2 * v), (b, t) => ({ d: latencyDecode(b, latencyEncode(b, t, lin), lin) })).d!;
    l.forEach((v, k) => expect(Math.abs(v - 2 * values[k]!)).toBeLessThanOrEqual(2 / (2 * 8) + 1e-6));
    const log = { steps: 9, threshold: 0.01, scale: 'log' } as const;
    const g = run([200], values, (b, t) => ({ d: latencyDecode(b, latencyEncode(b, t, log), log) })).d!;
    g.forEach((v, k) => expect(Math.abs(Math.log(v) - Math.log(values[k]!))).toBeLessThanOrEqual(Math.abs(Math.log(0.01)) / 16 + 1e-5));
  });

  it('rejects options it cannot encode with, naming the option', () => {
    expect(thrown(() => trace((b) => ({ s: latencyEncode(b, b.input('x', [2]), { steps: 1 }) }))).message).toContain("at 'latency.steps'");
    expect(thrown(() => trace((b) => ({ s: latencyEncode(b, b.input('x', [2]), { steps: 4, scale: 'log', threshold: 0 }) }))).message).toContain('log latency code must lie in (0, 1)');
  });
});

describe('delta coding', () => {
  it('emits ON/OFF against the last emitted level, one spike per step (worked by hand, θ = 0.5)', () => {
    // Two signals [T = 6, B = 2, F = 1]: the first crosses levels both ways, the second jumps by 4θ at once.
    const a = [0.2, 0.6, 1.2, 1.0, 0.4, -0.3];
    const c = [0, 2, 2, 2, 2, 2];
    const x = a.flatMap((v, t) => [v, c[t]!]);
    const out = run([6, 2, 1], x, (b, t) => {
      const s = deltaEncode(b, t, { threshold: 0.5 });
      return { s, d: deltaDecode(b, s, { threshold: 0.5 }) };
    });
    // s is [T, B, 2, 1]: per step [a ON, a OFF, c ON, c OFF].
    const at = (b: number, ch: number) => out.s!.filter((_, k) => k % 4 === b * 2 + ch);
    expect(at(0, 0)).toEqual([0, 1, 1, 0, 0, 0]);
    expect(at(0, 1)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(at(1, 0)).toEqual([0, 1, 1, 1, 1, 0]);
    expect(at(1, 1)).toEqual([0, 0, 0, 0, 0, 0]);
    const level = (b: number) => out.d!.filter((_, k) => k % 2 === b);
    expect(level(0)).toEqual([0, 0.5, 1, 1, 0.5, 0]);
    expect(level(1)).toEqual([0, 0.5, 1, 1.5, 2, 2]);
  });

  it('reconstructs a signal that moves at most θ per step within θ, from initial', () => {
    const T = 300;
    const theta = 0.1;
    let v = 1.05;
    const x = Array.from({ length: T }, (_, t) => (v += theta * Math.sin(t * 1.3) * 0.999));
    const options = { threshold: theta, initial: 1 };
    const d = run([T, 1], x, (b, t) => ({ d: deltaDecode(b, deltaEncode(b, t, options), options) })).d!;
    d.forEach((r, t) => expect(Math.abs(r - x[t]!), `step ${t}`).toBeLessThan(theta + 1e-5));
  });
});

describe('population coding', () => {
  const three = { neurons: 3, low: 0, high: 2 } as const;

  it('gives each of n Gaussian fields exp(−(x − μ_j)²/(2σ²)) with σ = the centre spacing', () => {
    const a = run([2], [1, 0], (b, t) => ({ a: populationEncode(b, t, three) })).a!;
    const e = Math.exp(-0.5);
    [e, 1, e, 1, e, Math.exp(-2)].forEach((v, k) => expect(a[k]).toBeCloseTo(v, 6));
  });

  it('decodes activity to the weighted centre, a silent population to the midpoint', () => {
    const d = run([3, 3], [1, 0, 1, 0, 0, 0, 0, 1, 3], (b, t) => ({ d: populationDecode(b, t, three) })).d!;
    expect(d).toEqual([1, 1, 1.75]);
  });

  it('recovers x within 1e-3 of the spacing in [low + 3Δ, high − 3Δ]', () => {
    const options = { neurons: 16, low: 0, high: 15 } as const;
    const x = Array.from({ length: 91 }, (_, k) => 3 + k / 10);
    const d = run([91], x, (b, t) => ({ d: populationDecode(b, populationEncode(b, t, options), options) })).d!;
    d.forEach((v, k) => expect(Math.abs(v - x[k]!), `x = ${x[k]}`).toBeLessThan(1e-3));
  });
});
