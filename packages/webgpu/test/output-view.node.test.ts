// An output that is a view of another value (a reshape shares its source's buffer) keeps the shape the graph declares.
import { evaluate, tensor, trace } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU output-view test');

describe.skipIf(skip)('outputs that are views', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('a reshaped output read back has the declared shape and the CPU values', async () => {
    const g = trace((b) => {
      const h = b.input('x', [2, 6]).add(1);
      return { spikes: h.spike().reshape([2, 2, 3]), charge: h.reshape([2, 2, 3]) };
    });
    const feeds = { x: tensor([2, 6], Array.from({ length: 12 }, (_, i) => i - 6)) };
    const exe = await compile(g, deviceOf(acquired).device);
    const gpu = await exe.run(feeds);
    const cpu = evaluate(g, { inputs: feeds }).outputs;
    for (const name of ['spikes', 'charge']) {
      expect(gpu[name]!.type.shape, name).toEqual([2, 2, 3]);
      expect(Array.from(gpu[name]!.data), name).toEqual(Array.from(cpu[name]!.data));
    }
    exe.destroy();
  });
});
