// exportLsnn: spikeflow's LSNN (β = 0, no refractory period) written as a NIR file, read back and
// imported with the returned options computes the LSNN's own spikes, membrane and readout bit for
// bit; adaptation and refractoriness are refused by field.
import { evaluate, initParams, toArray, trace } from '@spikeflow/core';
import { lsnn, type LsnnOptions } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { exportLsnn, importNir, readNir, writeNir } from '../src/index.js';
import { run } from './nir-doc.js';
import { bernoulliSpikes } from './spike-input.js';

const [T, B, I, O] = [30, 2, 5, 3];
/** Short time constants, not powers of two, so that α and κ round in f32. */
const DYNAMICS = { dt: 1, tauM: 7, tauOut: 3, b0: 0.3, refractory: 0, record: true } as const;

/** The LSNN's own graph on x: spikes, membrane (before the next step's reset) and readout. */
function ownRun(options: LsnnOptions, seed: number, x: ArrayLike<number>) {
  const net = lsnn(options);
  const graph = trace((b) => {
    const p = net(b, b.input('x', [T, B, I]));
    return { z: p.spikes, v: p.recorded!.voltage, y: p.readout };
  });
  const hostParams = initParams(graph, { seed });
  const params = Object.fromEntries(Object.entries(hostParams).map(([k, v]) => [k, toArray(v)]));
  const { outputs } = evaluate(graph, { inputs: { x }, params: hostParams });
  return { params, z: toArray(outputs.z!), v: toArray(outputs.v!), y: toArray(outputs.y!) };
}

/** Export → writeNir → readNir → importNir with the returned options, run on x. */
async function nirRun(options: LsnnOptions, params: Record<string, number[]>, x: ArrayLike<number>) {
  const { document, importOptions } = exportLsnn(options, params, { dt: 1e-3 });
  const read = await readNir(await writeNir(document), 'lsnn.nir');
  const model = importNir(read, { ...importOptions, steps: T, batch: B, potentials: true });
  const out = run(model, { input: x });
  return { z: out['lsnn.lif']!, v: out['lsnn.lif/v']!, y: out.output! };
}

const base = { inputs: I, outputs: O, ...DYNAMICS, inputScale: 4, recurrentScale: 3, outputScale: 2 };

describe('exportLsnn', () => {
  it.each<[string, Partial<LsnnOptions>]>([
    ['all LIF (nAlif = 0)', { nLif: 12, nAlif: 0 }],
    ['LIF and ALIF populations with β = 0', { nLif: 5, nAlif: 7, beta: 0 }],
    ['without a readout bias', { nLif: 8, nAlif: 0, readoutBias: false }],
    ['DEEP R sparse W_rec and W_in', { nLif: 10, nAlif: 6, beta: 0, deepR: { connectivity: 0.3, inputConnectivity: 0.6 }, seed: 4 }],
  ])('%s: spikes, membrane and readout bit-identical to the LSNN through a NIR file', async (_, variant) => {
    const options = { ...base, nLif: 0, nAlif: 0, ...variant };
    const x = bernoulliSpikes(T * B * I, 0.3, 8);
    const ours = ownRun(options, 3, x);
    const theirs = await nirRun(options, ours.params, x);
    const spikes = ours.z.filter((s) => s === 1).length;
    expect(spikes).toBeGreaterThan(20);
    expect(spikes).toBeLessThan(ours.z.length / 2);
    expect(theirs.z).toEqual(ours.z);
    expect(theirs.v).toEqual(ours.v);
    expect(theirs.y).toEqual(ours.y);
  });

  it('the returned options matter: forward Euler (× dt/τ) is the same update to rounding; subtracting in the spike’s own step is another network', () => {
    const options = { ...base, nLif: 12, nAlif: 0 };
    const x = bernoulliSpikes(T * B * I, 0.3, 8);
    const ours = ownRun(options, 3, x);
    const { document, importOptions } = exportLsnn(options, ours.params, { dt: 1e-3 });
    const runWith = (changed: object) => run(importNir(document, { ...importOptions, ...changed, steps: T, batch: B, potentials: true }), { input: x });
    const byRate = runWith({ leak: 'rate' });
    expect(byRate['lsnn.lif/v']).not.toEqual(ours.v);
    byRate.output!.forEach((y, i) => expect(Math.abs(y - ours.y[i]!)).toBeLessThanOrEqual(1e-6));
    expect(runWith({ reset: 'subtract-threshold' })['lsnn.lif']).not.toEqual(ours.z);
  });

  it('writes τ = dt/(1 − α) (the forward-Euler time constant of the same update) and the graph NIR readers expect', () => {
    const options = { ...base, nLif: 4, nAlif: 0 };
    const { params } = ownRun(options, 1, new Float32Array(T * B * I));
    const { document, importOptions } = exportLsnn(options, params, { dt: 1e-3 });
    const nodes = document.graph.nodes;
    expect([...nodes.keys()]).toEqual(['input', 'lsnn.w_in', 'lsnn.lif', 'lsnn.w_rec', 'lsnn.w_out', 'lsnn.readout', 'lsnn.bias', 'output']);
    const lif = nodes.get('lsnn.lif');
    if (lif?.type !== 'LIF') throw new Error('lsnn.lif is not a LIF node');
    expect(lif.tau.data[0]).toBeCloseTo(1e-3 / (1 - Math.exp(-1 / 7)), 15);
    expect(lif.v_threshold.data[0]).toBe(0.3);
    // The recurrent diagonal is zero (no self-connections).
    const rec = nodes.get('lsnn.w_rec');
    if (rec?.type !== 'Linear') throw new Error('lsnn.w_rec is not a Linear node');
    for (let j = 0; j < 4; j++) expect(Math.abs(rec.weight.data[j * 4 + j]!)).toBe(0);
    expect(document.graph.edges).toContainEqual(['lsnn.w_rec', 'lsnn.lif']);
    expect(importOptions).toEqual({
      dt: 1e-3,
      firing: 'at-or-above',
      reset: new Map([['lsnn.lif', 'subtract-threshold-next-step']]),
      leak: new Map([['lsnn.lif', 'decay'], ['lsnn.readout', 'decay']]),
    });
  });

  it('refuses adaptation, a refractory period and missing params, naming the field and why', () => {
    const options = { ...base, nLif: 3, nAlif: 2 };
    const { params } = ownRun({ ...options, beta: 0 }, 1, new Float32Array(T * B * I));
    expect(() => exportLsnn({ ...options, beta: 1.8 }, params, { dt: 1 })).toThrow(/lsnn\.beta.*ALIF threshold adaptation has no NIR equivalent/);
    expect(() => exportLsnn({ ...options, beta: 0, refractory: 5 }, params, { dt: 1 })).toThrow(/lsnn\.refractory.*refractory period has no NIR equivalent/);
    const { 'lsnn/rec/w': _, ...withoutRec } = params;
    expect(() => exportLsnn({ ...options, beta: 0 }, withoutRec, { dt: 1 })).toThrow(/params\.lsnn\/rec\/w.*no value/);
    expect(() => exportLsnn({ ...options, beta: 0 }, { ...params, 'lsnn/out/b': [1] }, { dt: 1 })).toThrow(/params\.lsnn\/out\/b.*wrong number of elements/);
    expect(() => exportLsnn({ ...options, beta: 0 }, params, { dt: 0 })).toThrow(/options\.dt/);
    // β > 0 without ALIF neurons, and a refractory period under half a step, change nothing: exported.
    expect(() => exportLsnn({ ...options, nAlif: 0, nLif: 5, beta: 1.8, refractory: 0.4 }, params, { dt: 1 })).not.toThrow();
  });
});
