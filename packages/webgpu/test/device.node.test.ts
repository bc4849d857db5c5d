// The device context on a real dawn.node device: raised limits, loss, uncaptured errors.
import { SpikeflowError } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireNodeDevice, nodeGpu } from '../src/node.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the dawn.node device tests');

describe('a dawn.node device', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it.skipIf(skip)('is granted the adapter maximum of the raised limits', async () => {
    const ctx = deviceOf(acquired);
    const adapter = (await (await nodeGpu()).requestAdapter())!;
    expect(ctx.adapterInfo).not.toBe('unknown adapter');
    expect(ctx.limits.maxStorageBufferBindingSize).toBe(adapter.limits.maxStorageBufferBindingSize);
    expect(ctx.limits.maxBufferSize).toBe(adapter.limits.maxBufferSize);
    expect(ctx.limits.maxComputeInvocationsPerWorkgroup).toBe(adapter.limits.maxComputeInvocationsPerWorkgroup);
  });

  it.skipIf(skip)('records uncaptured errors until they are taken', async () => {
    const ctx = deviceOf(acquired);
    ctx.device.createShaderModule({ code: 'not wgsl' });
    await ctx.device.queue.onSubmittedWorkDone();
    // Dawn delivers uncaptured errors from its event loop, a little after the call.
    const seen: string[] = [];
    await expect
      .poll(() => {
        seen.push(...ctx.takeErrors().map((error) => error.message));
        return seen.length;
      })
      .toBeGreaterThan(0);
    expect(seen[0]).toMatch(/^\[device\] .*uncaptured GPU validation error/);
    expect(ctx.takeErrors()).toEqual([]);
  });

  it.skipIf(skip)('turns loss into a rejection of pending work', async () => {
    const ctx = await acquireNodeDevice();
    expect(ctx.lostError()).toBeUndefined();
    ctx.device.destroy();
    const never = new Promise<never>(() => {});
    await expect(ctx.raceLost(never)).rejects.toThrow(/device was destroyed/);
    expect(await ctx.lost).toBeInstanceOf(SpikeflowError);
    expect(ctx.lostError()?.code).toBe('device');
  });
});
