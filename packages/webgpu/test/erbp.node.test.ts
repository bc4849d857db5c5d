// eRBP's online graph (one forward scan over a two-hidden-layer network of two-compartment
// neurons, summing the boxcar-gated, dendrite-signalled updates) on WebGPU against the CPU.
import { evaluate, initParams, tensor, type HostTensor } from '@spikeflow/core';
import { erbp, erbpNetwork } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU eRBP tests');

const [T, B] = [12, 4];
const SIZES = [16, 12, 8, 5];

describe.skipIf(skip)('eRBP on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('the CPU’s loss, scores and updates, 16-12-8-5', async () => {
    const { device } = deviceOf(acquired);
    const net = erbpNetwork({ sizes: SIZES, steps: T, batch: B, weightScale: 2, feedbackSeed: 2, neuron: { threshold: 0.5 } });
    const wrt = [...net.params];
    const g = erbp(net, { gate: { min: -0.3, max: 1.2 } }).updateGraph(net.model, { loss: 'loss', wrt });
    const exe = await compile(g, device);
    const feeds: Record<string, HostTensor> = {
      x: tensor([B, SIZES[0]!], testData(1, B * SIZES[0]!, 0, 1)),
      labels: tensor([B], Array.from({ length: B }, (_, k) => k % SIZES[3]!), 'i32'),
    };
    const params = initParams(g, { seed: 4 });
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    exe.setParams(params);
    const gpu = await exe.run(feeds);
    for (const name of ['loss', 'scores', ...wrt.map((w) => `grad/${w}`)]) {
      // Every update is exercised: spikes reach the deepest layer and some gates are open.
      if (name.startsWith('grad/')) expect(Math.max(...Array.from(cpu[name]!.data, Math.abs)), name).toBeGreaterThan(1e-3);
      const err = scaledMaxError(gpu[name]!, cpu[name]!);
      console.log(`[erbp webgpu] ${name}: scaled max error ${err.toExponential(2)}`);
      expect(err, name).toBeLessThan(1e-4);
    }
    exe.destroy();
  }, 300_000);
});
