// Neurons defined once as their step (defineNeuron): CPU reference vs WebGPU, forward and gradient,
// each direction of the scan compiled to ONE fused dispatch over T, and a user neuron trained.
import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, tensor, toArray, trace, type Graph, type GraphBuilder, type HostTensor, type Tensor } from '@spikeflow/core';
import { adam, alifNeuron, buildLinear, defineNeuron, ifNeuron, leakyIntegratorNeuron, lifNeuron, linear, plifNeuron, trainingGraph } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileTrainStep, type ExecutableStats } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU neuron tests');

/** The fused scans of an executable, as [dispatches per scan], and whether anything loops over T. */
function scanDispatches(stats: ExecutableStats): { fused: number[]; stepLoops: boolean } {
  return { fused: stats.kernels.filter((k) => k.kind === 'scan-fused').map((k) => k.dispatches), stepLoops: stats.kernels.some((k) => k.dispatches > 1) };
}

/**
 * Izhikevich (2003), not built in: v' = v + dt(0.04v² + 5v + 140 - u + I), u' = u + dt·a(bv - u);
 * a spike when v' >= 30 mV, then v = c and u += d. Regular spiking: a = 0.02, b = 0.2, c = -65, d = 8.
 */
const izhikevich = defineNeuron({
  kind: 'izhikevich',
  state: { v: { init: -65 }, u: { init: 0.2 * -65 } },
  params: { dt: 0.5, a: 0.02, b: 0.2, c: -65, d: 8 },
  // In mV: the surrogate is about 10 mV wide.
  surrogate: { kind: 'fastSigmoid', alpha: 0.1 },
  step: ({ state: { v, u }, input, params: { dt, a, b, c, d }, spike }) => {
    const dv = v.mul(v).mul(0.04).add(v.mul(5)).add(140).sub(u).add(input);
    const vNext = v.add(dv.mul(dt));
    const uNext = u.add(v.mul(b).sub(u).mul(dt * a));
    const s = spike(vNext.sub(30));
    // The reset jumps by ~100 mV; detached, as SpikingJelly's detach_reset, so BPTT stays bounded.
    const fired = s.stopGradient();
    return { state: { v: vNext.mul(fired.neg().add(1)).add(fired.mul(c)), u: uNext.add(fired.mul(d)) }, spike: s };
  },
});

interface Case {
  readonly label: string;
  readonly layer: (b: GraphBuilder, x: Tensor) => Tensor;
  /** The range of the input current. */
  readonly input: readonly [number, number];
  readonly params?: readonly string[];
}

const cases: readonly Case[] = [
  { label: 'IF, hard reset', layer: (b, x) => ifNeuron.apply(b, x), input: [-0.2, 0.8] },
  { label: 'IF, soft reset, detached', layer: (b, x) => ifNeuron.apply(b, x, { vReset: null, detachReset: true }), input: [-0.2, 0.8] },
  { label: 'LIF, hard reset to -0.3, sigmoid surrogate', layer: (b, x) => lifNeuron.apply(b, x, { vReset: -0.3, surrogate: 'sigmoid' }), input: [0, 2.5] },
  { label: 'LIF, soft reset, no decayInput', layer: (b, x) => lifNeuron.apply(b, x, { vReset: null, decayInput: false, tau: 3 }), input: [0, 1.2] },
  { label: 'PLIF', layer: (b, x) => b.scope('plif', () => plifNeuron.apply(b, x, { initTau: 3 })), input: [0, 2.5], params: ['plif/w'] },
  { label: 'ALIF with refractory period', layer: (b, x) => alifNeuron.apply(b, x, { b0: 0.2, tauA: 30, nRef: 4 }), input: [0, 1.5] },
  { label: 'leaky integrator', layer: (b, x) => leakyIntegratorNeuron.apply(b, x, { tau: 5 }), input: [-1, 1] },
];

describe.skipIf(skip)('neurons from defineNeuron on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  for (const c of cases) {
    it(`${c.label}: one fused dispatch each way, and the CPU's outputs and gradients`, async () => {
      const { device } = deviceOf(acquired);
      const [T, B, N] = [40, 4, 70];
      const model = trace((b) => {
        const out = c.layer(b, b.input('x', [T, B, N]));
        return { loss: out.mul(b.input('g', [T, B, N])).sum(), out };
      });
      const forward = await compile(model, device);
      expect(scanDispatches(forward.stats)).toEqual({ fused: [1], stepLoops: false });
      forward.destroy();

      const wrt = ['x', ...(c.params ?? [])];
      const g = grad(model, { of: 'loss', wrt });
      const exe = await compile(g, device);
      // The forward scan (saving its carries) and the reverse-time scan of BPTT.
      expect(scanDispatches(exe.stats)).toEqual({ fused: [1, 1], stepLoops: false });
      const feeds = { x: tensor([T, B, N], testData(1, T * B * N, ...c.input)), g: tensor([T, B, N], testData(2, T * B * N, -1, 1)) };
      const params = initParams(g);
      const cpu = evaluate(g, { inputs: feeds, params }).outputs;
      exe.setParams(params);
      const gpu = await exe.run(feeds);
      const activity = toArray(cpu.out!).reduce((a, v) => a + Math.abs(v), 0) / (T * B * N);
      expect(activity).toBeGreaterThan(0.02); // it really fires (or, for the readout, integrates)
      for (const name of ['out', 'loss', ...wrt.map((w) => `grad/${w}`)]) expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
      exe.destroy();
    });
  }

  it('a user-defined Izhikevich neuron trains with one fused dispatch per direction', async () => {
    const { device } = deviceOf(acquired);
    // Inputs [T, B, I] drive N Izhikevich neurons through a learned projection; the loss pulls each
    // sample's spike counts towards its targets.
    const [T, B, I, N] = [100, 8, 12, 6];
    const model: Graph = trace((b) => {
      const x = b.input('x', [T, B, I]);
      const current = b.scope('linear0', () => buildLinear(b, x, linear(I, N, { initScale: 32, bias: true })));
      const spikes = b.scope('izhikevich1', () => izhikevich.apply(b, current));
      const counts = spikes.sum(0);
      const miss = counts.sub(b.input('target', [B, N]));
      return { loss: miss.mul(miss).mean(), counts };
    });
    const train = trainingGraph(model, { loss: 'loss', optimizer: adam() });
    const step = await compileTrainStep(train, device);
    expect(scanDispatches(step.executable.stats).fused).toEqual([1, 1]);
    expect(step.executable.stats.kernels.filter((k) => k.dispatches > 1)).toEqual([]);

    // Each sample drives its inputs at its own rates, so samples differ in what they feed the neurons.
    const rates = testData(3, B * I, 0, 0.6);
    const x = tensor([T, B, I], testData(4, T * B * I, 0, 1).map((u, k) => (u < rates[k % (B * I)]! ? 1 : 0)));
    // Realizable targets: the spike counts of a teacher of the same form with other weights.
    const teacher = evaluate(model, { inputs: { x, target: tensor([B, N], new Array<number>(B * N).fill(0)) }, params: initParams(model, { seed: 11 }) });
    const target: HostTensor = teacher.outputs.counts!;
    const losses: number[] = [];
    for (let k = 0; k < 40; k++) losses.push(await step.stepWithLoss({ x, target, lr: 0.2 }));
    console.log(`Izhikevich: loss ${losses.filter((_, k) => k % 10 === 0 || k === 39).map((v) => v.toFixed(3)).join(' -> ')}`);
    expect(losses.every(Number.isFinite)).toBe(true);
    const last = losses.slice(-5).reduce((a, v) => a + v, 0) / 5;
    expect(last).toBeLessThan(losses[0]! / 3);
    step.destroy();
  });
});
