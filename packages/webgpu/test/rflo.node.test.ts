// RFLO's online graph (a rate network's forward scan carrying per-synapse traces and summed
// updates) on WebGPU against the CPU interpreter.
import { evaluate, initParams, tensor, type HostTensor } from '@spikeflow/core';
import { onlineNetwork, rateNeuron, rflo } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU RFLO test');

const [T, B, I, N, C] = [12, 3, 2, 8, 2];

describe.skipIf(skip)('RFLO on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it("a rate network with random feedback: the CPU's loss and updates", async () => {
    const { device } = deviceOf(acquired);
    const net = onlineNetwork({ neuron: rateNeuron, neuronAttrs: { alpha: 0.5 }, inputs: I, hidden: N, outputs: C, steps: T, batch: B, inputScale: 2 });
    const wrt = Object.values(net.params);
    const g = rflo(net, { feedback: { kind: 'random', seed: 2 } }).updateGraph(net.model, { loss: 'loss', wrt });
    const exe = await compile(g, device);
    const feeds: Record<string, HostTensor> = {
      x: tensor([T, B, I], testData(1, T * B * I, 0, 1).map((u) => Number(u < 0.5))),
      targets: tensor([T, B], Array.from({ length: T * B }, (_, k) => (k * 7) % C), 'i32'),
      mask: tensor([T, B], Array.from({ length: T * B }, (_, k) => Number(k >= B * 4))),
    };
    const params = initParams(g, { seed: 3 });
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    exe.setParams(params);
    const gpu = await exe.run(feeds);
    for (const name of ['loss', 'scores', ...wrt.map((w) => `grad/${w}`)]) {
      expect(Math.max(...Array.from(cpu[name]!.data, Math.abs)), name).toBeGreaterThan(1e-4);
      const err = scaledMaxError(gpu[name]!, cpu[name]!);
      console.log(`[rflo webgpu] ${name}: scaled max error ${err.toExponential(2)}`);
      expect(err, name).toBeLessThan(1e-4);
    }
    exe.destroy();
  }, 300_000);
});
