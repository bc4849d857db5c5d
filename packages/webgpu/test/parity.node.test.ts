// The parity suite on dawn.node. The same suite runs in Deno and Chromium (runtimes.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { runParitySuite } from './parity/suite.js';

const acquired = await tryNodeDevice();

describe('parity suite in Node (dawn.node)', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it.skipIf(skipWithoutDevice(acquired, 'the WebGPU parity suite in Node'))('passes every case', async () => {
    const ctx = deviceOf(acquired);
    const log: string[] = [];
    const result = await ctx.raceLost(runParitySuite(ctx.device, (line) => log.push(line)));
    console.log(`Node adapter: ${ctx.adapterInfo}\n${log.join('\n')}`);
    expect(result.failed).toEqual([]);
    expect(result.passed).toBeGreaterThan(0);
    expect(ctx.takeErrors().map((error) => error.message)).toEqual([]);
  });
});
