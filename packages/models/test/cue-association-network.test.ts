import { evaluate, initParams, tensor, toArray, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { lif } from '../src/layers/lif.js';
import { cueAssociationNetwork, isPlasticityParam, plasticLinear, plasticRecurrent, TANH_UNIT, type CueAssociationNetworkOptions } from '../src/plasticity/index.js';
import { cueAssociation } from '../src/tasks/cue-association.js';
import { refPlasticLinear, refPlasticRecurrent, type Mat, type RefParams } from './support/plasticity-reference.js';

const task = cueAssociation({ presentSteps: 2, gapSteps: 1, delaySteps: 1, querySteps: 2 });
const { steps: T, inputSize: F, outputSize: K } = task.info;
const [B, N, R] = [3, 5, 2];

const rows = (t: HostTensor, cols: number): Mat => Array.from({ length: t.data.length / cols }, (_, r) => Array.from(t.data.slice(r * cols, (r + 1) * cols)));

/** The graph's init, with α drawn wide enough (not Miconi's ±0.01) that Hebb visibly shapes the output. */
function paramsOf(options: CueAssociationNetworkOptions): Record<string, HostTensor> {
  const init = initParams(cueAssociationNetwork(task.info, B, options), { seed: 3, precision: 'f64' });
  return { ...init, 'rec/alpha': tensor(init['rec/alpha']!.type.shape, toArray(init['rec/alpha']!).map((v) => v * 100), 'f32', 'f64') };
}

/** logits = mean of the layer's last R outputs · W_out + b_out, from the plain-JS plastic layer reference. */
function referenceLogits(options: CueAssociationNetworkOptions, p: Record<string, HostTensor>, x: HostTensor): number[] {
  const xs = Array.from({ length: T }, (_, t) => rows(tensor([B, F], toArray(x).slice(t * B * F, (t + 1) * B * F)), F));
  const pre = options.plasticSynapses === 'input' ? F : N;
  const ref: RefParams = {
    w: rows(p['rec/w']!, N),
    alpha: rows(p['rec/alpha']!, N),
    eta: p['rec/eta']!.data[0],
    bias: Array.from(p['rec/b']!.data),
    wIn: options.plasticSynapses === 'input' ? undefined : rows(p['rec/w_in']!, N),
  };
  expect(ref.w.length).toBe(pre);
  const layer = { bias: true, unit: options.unit, initScale: options.initScale, plasticity: options.plasticity };
  const run = options.plasticSynapses === 'input' ? refPlasticLinear(plasticLinear(F, N, layer), ref, xs) : refPlasticRecurrent(plasticRecurrent(F, N, layer), ref, xs);
  const wOut = rows(p['readout/w']!, K);
  const bOut = p['readout/b']!.data;
  return Array.from({ length: B }, (_, b) => {
    const mean = Array.from({ length: N }, (_, j) => run.outputs.slice(T - R).reduce((s, y) => s + y[b]![j]!, 0) / R);
    return Array.from({ length: K }, (_, k) => mean.reduce((s, h, j) => s + h * wOut[j]![k]!, bOut[k]!));
  }).flat();
}

describe('the cue association network', () => {
  const batch = task.batch(B, 11);
  const cases: { label: string; options: CueAssociationNetworkOptions }[] = [
    {
      label: 'plastic input synapses onto LIF units',
      options: { hidden: N, plasticSynapses: 'input', unit: lif({ tau: 2, detachReset: true }), plasticity: { rule: 'hebb', update: 'clip' }, initScale: 4, readoutSteps: R },
    },
    {
      label: 'plastic recurrent tanh units (Miconi et al.)',
      options: { hidden: N, plasticSynapses: 'recurrent', unit: TANH_UNIT, plasticity: { rule: 'oja', update: 'trace' }, initScale: 1, readoutSteps: R },
    },
  ];
  for (const { label, options } of cases) {
    it(`${label}: logits are the readout of the query window, as the plain-JS reference computes them`, () => {
      const params = paramsOf(options);
      const out = evaluate(cueAssociationNetwork(task.info, B, options), { inputs: { x: batch.inputs.x!, labels: batch.labels! }, params }, { precision: 'f64' }).outputs;
      const want = referenceLogits(options, params, batch.inputs.x!);
      const got = toArray(out.logits!);
      got.forEach((v, k) => expect(Math.abs(v - want[k]!), `logit ${k}: ${v} vs ${want[k]}`).toBeLessThan(1e-9));
      expect(new Set(got.slice(0, K).map((v, k) => v - got[K + k]!)).size, 'the episodes reach the readout differently').toBeGreaterThan(1);
      expect(Number.isFinite(toArray(out.loss!)[0]!)).toBe(true);
    });
  }

  it('names the params that act only through plasticity, so freezing them at α = 0 turns plasticity off', () => {
    const g = cueAssociationNetwork(task.info, B, {
      hidden: N,
      plasticSynapses: 'input',
      unit: TANH_UNIT,
      plasticity: { rule: 'hebb', update: 'eligibility', eta: 'neuromodulated' },
      initScale: 1,
      readoutSteps: R,
    });
    const names = g.params.map((id) => (g.nodes[id]!.attrs as { name: string }).name).sort();
    expect(names.filter(isPlasticityParam)).toEqual(['rec/alpha', 'rec/modulator/b', 'rec/modulator/w']);
    expect(names.filter((n) => !isPlasticityParam(n))).toEqual(['readout/b', 'readout/w', 'rec/b', 'rec/w']);
  });

  it('rejects a readout window outside the episode, naming the field', () => {
    const options: CueAssociationNetworkOptions = { hidden: N, unit: TANH_UNIT, plasticity: {}, initScale: 1, readoutSteps: T + 1 };
    expect(() => cueAssociationNetwork(task.info, B, options)).toThrow(/readoutSteps/);
  });
});
