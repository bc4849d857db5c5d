// e-prop's online graph (forward scan carrying eligibility traces and summed updates) on WebGPU
// against the CPU interpreter, and what the scan compiles to.
import { evaluate, initParams, tensor, type HostTensor } from '@spikeflow/core';
import { alifNeuron, eprop, lifNeuron, onlineNetwork, type OnlineNetworkOptions } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU e-prop tests');

const [T, B, I, N, C] = [30, 4, 6, 10, 3];

const cases: readonly { label: string; options: Pick<OnlineNetworkOptions, 'neuron' | 'neuronAttrs'> }[] = [
  // Soft reset, detached: the Jacobian is the same number for every neuron, so the traces are presynaptic [B, N_pre].
  { label: 'LIF (factorised traces)', options: { neuron: lifNeuron, neuronAttrs: { tau: 4, vReset: null, vThreshold: 0.6 } } },
  // Adaptive threshold: per-synapse eligibility vectors [B, N_pre, N_post] for v, a, z, r.
  { label: 'ALIF (full traces)', options: { neuron: alifNeuron, neuronAttrs: { tauM: 10, tauA: 30, beta: 0.8, b0: 0.3, nRef: 2 } } },
];

describe.skipIf(skip)('e-prop on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  for (const c of cases) {
    it(`${c.label}: the CPU's loss and updates`, async () => {
      const { device } = deviceOf(acquired);
      const net = onlineNetwork({ ...c.options, inputs: I, hidden: N, outputs: C, steps: T, batch: B, readoutDecay: 0.8, inputScale: 3, rateRegularization: { target: 0.05, weight: 0.2 } });
      const wrt = Object.values(net.params);
      const g = eprop(net).updateGraph(net.model, { loss: 'loss', wrt });
      const exe = await compile(g, device);
      const kernels = exe.stats.kernels;
      const looped = kernels.filter((k) => k.dispatches > 1);
      console.log(
        `[eprop webgpu] ${c.label}: ${kernels.length} kernels, ${looped.length} of them run once per step (${T} steps); fused scans: ${kernels.filter((k) => k.kind === 'scan-fused').length}; kinds per step: ${[...new Set(looped.map((k) => k.kind))].join(', ')}`,
      );
      // The body holds matmuls (recurrent input, readout, feedback, the updates' batch contraction), so the scan is a step loop.
      expect(looped.length).toBeGreaterThan(0);
      const feeds: Record<string, HostTensor> = {
        x: tensor([T, B, I], testData(1, T * B * I, 0, 1).map((u) => Number(u < 0.3))),
        targets: tensor([T, B], Array.from({ length: T * B }, (_, k) => k % C), 'i32'),
        mask: tensor([T, B], Array.from({ length: T * B }, (_, k) => Number(k >= (T * B) / 2))),
      };
      const params = initParams(g, { seed: 3 });
      const cpu = evaluate(g, { inputs: feeds, params }).outputs;
      exe.setParams(params);
      const gpu = await exe.run(feeds);
      // The readout's update z̄ᵀδ is zero unless the neurons fire.
      expect(Math.max(...Array.from(cpu[`grad/${net.params.readout!}`]!.data, Math.abs))).toBeGreaterThan(1e-3);
      for (const name of ['loss', 'scores', ...wrt.map((w) => `grad/${w}`)]) {
        const err = scaledMaxError(gpu[name]!, cpu[name]!);
        console.log(`[eprop webgpu] ${c.label} ${name}: scaled max error ${err.toExponential(2)}`);
        expect(err, name).toBeLessThan(1e-4);
      }
      exe.destroy();
    }, 300_000);
  }
});
