import { describe, expect, it } from 'vitest';
import { cpuBackend, GraphBuilder, toArray } from '@spikeflow/core';
import { LSM, liquidStateMachineGraph, observationSpikes, reservoirWeights, type ReservoirOptions } from '../../src/rl/index.js';

const RULES: ReservoirOptions = {
  inputs: 6,
  neurons: 200,
  input: { p: 0.2, w: 0.5 },
  ee: { p: 0.1, w: 0.4 },
  ei: { p: 0.3, w: 0.6 },
  ie: { p: 0.4, w: 0.8 },
  ii: { p: 0.05, w: 0.2 },
};

describe('reservoir connectivity', () => {
  it('follows the E/I rules: signs by the presynaptic type, no self-connections, densities near p, seeded', () => {
    const r = reservoirWeights(RULES, 3);
    const n = RULES.neurons;
    expect(r.excitatory.reduce((a, v) => a + v, 0)).toBe(160);
    const density = { ee: [0, 0], ei: [0, 0], ie: [0, 0], ii: [0, 0] } as Record<string, [number, number]>;
    for (let pre = 0; pre < n; pre++) {
      expect(r.recurrent[pre * n + pre]).toBe(0);
      for (let post = 0; post < n; post++) {
        if (pre === post) continue;
        const w = r.recurrent[pre * n + post]!;
        const key = `${r.excitatory[pre] ? 'e' : 'i'}${r.excitatory[post] ? 'e' : 'i'}`;
        density[key]![1]++;
        if (w !== 0) {
          density[key]![0]++;
          const rule = RULES[key as 'ee']!;
          // |w| = rule.w·u, u in [0.5, 1.5); negative exactly when the presynaptic neuron is inhibitory.
          expect(Math.abs(w)).toBeGreaterThanOrEqual(0.5 * rule.w - 1e-6);
          expect(Math.abs(w)).toBeLessThan(1.5 * rule.w + 1e-6);
          expect(w > 0).toBe(r.excitatory[pre] === 1);
        }
      }
    }
    for (const key of ['ee', 'ei', 'ie', 'ii'] as const) {
      const [made, possible] = density[key]!;
      const p = RULES[key].p;
      // Within 5 binomial standard deviations.
      expect(Math.abs(made / possible - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / possible));
    }
    expect(r.connections.recurrent).toBe(Object.values(density).reduce((a, [m]) => a + m, 0));
    expect(reservoirWeights(RULES, 3).recurrent).toEqual(r.recurrent);
    expect(reservoirWeights(RULES, 4).recurrent).not.toEqual(r.recurrent);
    expect(() => reservoirWeights({ ...RULES, ee: { p: 2, w: 1 } }, 1)).toThrow(/reservoir.ee/);
  });

  it('names a missing connection rule', () => {
    const { ee: _dropped, ...missing } = RULES;
    expect(() => reservoirWeights(missing as ReservoirOptions, 3)).toThrow(/reservoir\.ee/);
  });
});

describe('liquid state machine graph', () => {
  it('runs the LIF reservoir as a host simulation does, carrying its state across calls', async () => {
    const small: ReservoirOptions = { ...RULES, neurons: 8, input: { p: 0.6, w: 0.7 }, ee: { p: 0.5, w: 0.6 }, ei: { p: 0.5, w: 0.6 }, ie: { p: 0.5, w: 0.9 }, ii: { p: 0.5, w: 0.3 } };
    const weights = reservoirWeights(small, 5);
    const steps = 4;
    const tau = 4;
    // Two dimensions of 3 fields each. A gain of 1e9 makes every field of the in-range first dimension
    // (activation >= e^−2) spike with p = 1 at every step and the far-out second dimension (scaled to 50,
    // activation e^−4802 = 0) never: the input is the deterministic spike vector (1, 1, 1, 0, 0, 0).
    const graph = liquidStateMachineGraph({
      batch: 1, observations: 2, actions: 2, weights, tau,
      encoding: { low: [0, 0], high: [1, 1], neurons: 3, steps, gain: 1e9, seed: 1 },
    });
    const runner = await cpuBackend().compile(graph);
    const readout = { w: Array.from({ length: 16 }, (_, i) => (i % 3) - 1), b: [0.5, -0.25] };
    runner.setParams({ [LSM.readoutW]: readout.w, [LSM.readoutB]: readout.b });

    // Host reference: v ← (1 − 1/τ)·v + x·W_in + s·W_rec; s = [v >= 1]; v ← v·(1 − s).
    const n = 8;
    const x = [1, 1, 1, 0, 0, 0];
    let v = new Array<number>(n).fill(0);
    let s = new Array<number>(n).fill(0);
    for (let call = 0; call < 2; call++) {
      const counts = new Array<number>(n).fill(0);
      for (let t = 0; t < steps; t++) {
        const h = v.map((vi, j) => {
          let current = 0;
          for (let i = 0; i < 6; i++) current += x[i]! * weights.input[i * n + j]!;
          for (let i = 0; i < n; i++) current += s[i]! * weights.recurrent[i * n + j]!;
          return (1 - 1 / tau) * vi + current;
        });
        s = h.map((hj) => (hj >= 1 ? 1 : 0));
        v = h.map((hj, j) => hj * (1 - s[j]!));
        s.forEach((sj, j) => (counts[j]! += sj));
      }
      const out = await runner.run({ [LSM.observation]: [0.5, 50], [LSM.fresh]: [0], [LSM.counter]: call });
      const features = toArray(out[LSM.features]!);
      features.forEach((f, j) => expect(f).toBeCloseTo(counts[j]! / steps, 6));
      const q = toArray(out[LSM.q]!);
      for (let a = 0; a < 2; a++) expect(q[a]).toBeCloseTo(readout.b[a]! + features.reduce((acc, f, j) => acc + f * readout.w[j * 2 + a]!, 0), 5);
      if (call === 1) expect(counts.some((c) => c > 0) && counts.some((c) => c < steps)).toBe(true); // not trivially silent or saturated
    }
    // A new episode starts from rest, by `fresh` or by resetState: the first call's features come back.
    const feeds = { [LSM.observation]: [0.5, 50], [LSM.counter]: 0 };
    const first = toArray((await (await cpuBackend().compile(graph)).run({ ...feeds, [LSM.fresh]: [0] }))[LSM.features]!);
    expect(toArray((await runner.run({ ...feeds, [LSM.fresh]: [1] }))[LSM.features]!)).toEqual(first);
    runner.resetState();
    expect(toArray((await runner.run({ ...feeds, [LSM.fresh]: [0] }))[LSM.features]!)).toEqual(first);
  });
});

describe('observation code', () => {
  it("'current' repeats gain·exp(−(x − μ)²/(2σ²)) at every step, the same for any counter", async () => {
    const b = new GraphBuilder();
    const observation = b.input('observation', [2, 2]);
    const counter = b.input('counter', [], 'u32');
    const out = observationSpikes(b, observation, { low: [0, -1], high: [1, 1], neurons: 3, steps: 4, code: 'current', gain: 0.5, counter });
    expect(out.shape).toEqual([4, 2, 6]);
    const runner = await cpuBackend().compile(b.finish({ out }));
    const obs = [0.25, 0.5, 1, -1];
    // Scaled to [0, 1]: (0.25, 0.75) and (1, 0); centres 0, 0.5, 1 and σ = 0.5.
    const scaled = [0.25, 0.75, 1, 0];
    const expected = scaled.flatMap((u) => [0, 0.5, 1].map((mu) => 0.5 * Math.exp(-((u - mu) ** 2) / (2 * 0.25))));
    const first = toArray((await runner.run({ observation: obs, counter: 0 })).out!);
    for (let t = 0; t < 4; t++) first.slice(t * 12, (t + 1) * 12).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(toArray((await runner.run({ observation: obs, counter: 7 })).out!)).toEqual(first);
  });
});
