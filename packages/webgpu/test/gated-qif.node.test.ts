// The gated QIF network (exact gradients, no surrogate) on WebGPU (dawn.node): the forward outputs
// and the gradient of the loss for every weight against the CPU reference, in float32.
import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, tensor, toArray } from '@spikeflow/core';
import { gatedQif } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { paramNamesOf, smallFeeds, smallRecurrentNetwork } from '../../models/test/support/small-recurrent-network.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU gated QIF test');

describe.skipIf(skip)('gated QIF network on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it("the CPU's outputs and exact gradients within 1e-4 (scaled)", async () => {
    const { device } = deviceOf(acquired);
    const model = smallRecurrentNetwork(gatedQif({ tauV: 2, tauS: 4, gateWidth: 0.4 }), 3);
    const names = paramNamesOf(model);
    const g = grad(model, { of: 'loss', wrt: names });
    const exe = await compile(g, device);
    // float32 feeds: the CPU interpreter then runs in float32 as the GPU does.
    const f64 = smallFeeds();
    const feeds = { x: tensor(f64.x!.type.shape, toArray(f64.x!)), labels: f64.labels! };
    const params = initParams(g, { seed: 7 });
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    exe.setParams(params);
    const gpu = await exe.run(feeds);
    expect(Math.max(...toArray(cpu.out!)), 'the synapses carry spikes').toBeGreaterThan(0.1);
    for (const name of ['out', 'logits', 'loss', ...names.map((n) => `grad/${n}`)]) {
      expect(toArray(cpu[name]!).some((v) => v !== 0), `${name} is not all zero`).toBe(true);
      expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
    }
    exe.destroy();
  });
});
