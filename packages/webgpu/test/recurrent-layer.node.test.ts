// The generic recurrent layer (any defineNeuron neuron, one scan with W_rec) on WebGPU (dawn.node):
// forward values and BPTT gradients against the CPU reference.
import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, tensor, toArray, trace, type Graph, leafName } from '@spikeflow/core';
import { alif, buildRecurrent, defineNeuron, learnable, lif, plif, recurrent, standardNeurons, type NeuronLayerSpec, type NeuronLibrary, type RecurrentOptions } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU recurrent layer tests');

/** A smooth rate neuron, not built in: v' = d·v + (1 - d)·I, output tanh(gain·v'), one learned gain per neuron. */
const rateNeuron = defineNeuron({
  kind: 'rate',
  state: { v: { init: 0 } },
  params: { decay: Math.exp(-1 / 3), gain: learnable(1, { perNeuron: true }) },
  step: ({ state, input, params: { decay, gain } }) => {
    const v = state.v.mul(decay).add(input.mul(1 - decay));
    return { state: { v }, output: v.mul(gain).tanh() };
  },
});
const neurons: NeuronLibrary = { ...standardNeurons, rate: rateNeuron };

interface Case {
  readonly label: string;
  readonly neuron: NeuronLayerSpec;
  readonly options: RecurrentOptions;
}

const cases: readonly Case[] = [
  { label: 'LIF with a bias', neuron: lif({ tau: 2 }), options: { bias: true, initScale: 2 } },
  { label: 'ALIF with adaptation and a refractory period', neuron: alif({ tauM: 4, tauA: 10, b0: 0.2, nRef: 2 }), options: { initScale: 2 } },
  { label: 'PLIF (a learned leak) with self-connections', neuron: plif({ initTau: 3 }), options: { selfConnections: true, initScale: 3 } },
  { label: 'a user-defined rate neuron (a learned gain)', neuron: rateNeuron.layer(), options: { bias: true } },
];

const paramNames = (g: Graph) => g.params.map((id) => leafName(g.nodes[id]!));

describe.skipIf(skip)('recurrent layer on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  for (const c of cases) {
    it(`${c.label}: the CPU's outputs and gradients within 1e-4`, async () => {
      const { device } = deviceOf(acquired);
      const [T, B, I, N] = [20, 4, 6, 24];
      const model = trace((b) => {
        const out = b.scope('rnn', () => buildRecurrent(b, b.input('x', [T, B, I]), recurrent(I, N, c.neuron, c.options, neurons), neurons));
        return { loss: out.mul(b.input('g', [T, B, N])).sum(), out };
      });
      const wrt = ['x', ...paramNames(model)];
      const g = grad(model, { of: 'loss', wrt });
      const exe = await compile(g, device);
      const feeds = { x: tensor([T, B, I], testData(1, T * B * I)), g: tensor([T, B, N], testData(2, T * B * N, -1, 1)) };
      const params = initParams(g, { seed: 3 });
      const cpu = evaluate(g, { inputs: feeds, params }).outputs;
      exe.setParams(params);
      const gpu = await exe.run(feeds);
      const activity = toArray(cpu.out!).reduce((a, v) => a + Math.abs(v), 0) / (T * B * N);
      expect(activity).toBeGreaterThan(0.02); // it really fires (or, for the rate neuron, responds)
      for (const name of ['out', 'loss', ...wrt.map((w) => `grad/${w}`)]) {
        expect(toArray(cpu[name]!).some((v) => v !== 0), `${name} is not all zero`).toBe(true);
        expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
      }
      exe.destroy();
    });
  }
});
