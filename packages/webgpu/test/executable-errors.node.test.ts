// A GPU validation error in an executable's own work (a compiler bug, a buffer freed under it)
// makes its next read fail naming the error, instead of returning unwritten buffers as zeros.
import { SpikeflowError, tensor, toArray, trace } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, type Executable } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU executable error test');

/** Frees one of the executable's GPU buffers behind its back: any later submission using it is invalid. */
function freeFirstBuffer(exe: Executable): void {
  (exe as unknown as { buffers: GPUBuffer[] }).buffers[0]!.destroy();
}

describe.skipIf(skip)('GPU validation errors of an executable', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  const graph = trace((b) => ({ y: b.input('x', [4]).mul(2).add(1) }));
  const feeds = { x: tensor([4], [1, 2, 3, 4]) };

  it('a healthy run reads back the hand-worked values', async () => {
    const exe = await compile(graph, deviceOf(acquired).device);
    expect(toArray((await exe.run(feeds)).y!)).toEqual([3, 5, 7, 9]);
    exe.destroy();
  });

  it('a run whose submission the GPU rejects fails naming the error, not zeros', async () => {
    const exe = await compile(graph, deviceOf(acquired).device);
    freeFirstBuffer(exe);
    const error = await exe.run(feeds).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).message).toContain('the GPU rejected this executable');
  });

  it('an error of a step submitted without a read is reported by the next read', async () => {
    const exe = await compile(graph, deviceOf(acquired).device);
    freeFirstBuffer(exe);
    exe.submit(feeds);
    const error = await exe.readState().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).message).toContain('the GPU rejected this executable');
  });
});
