// The CI-size fuzz run: a fixed set of random graphs (packs of 25 per program), WebGPU against the
// CPU reference. The nightly run is `pnpm fuzz --graphs 10000`; a failure here prints the seed,
// the replay command, the graph as JSON and the first differing elements.
import { afterAll, describe, expect, it } from 'vitest';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from '../node-device.js';
import { describeFailure, fuzz } from './runner.js';

/** Fixed seeds: the same graphs on every run, so a failure here reproduces with `pnpm fuzz --replay <seed>`. */
const CI_SEEDS = Array.from({ length: 100 }, (_, i) => 1 + i);

const acquired = await tryNodeDevice();

describe('fuzz: random graphs on WebGPU match the CPU reference', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it.skipIf(skipWithoutDevice(acquired, 'the WebGPU fuzz run'))(`${CI_SEEDS.length} graphs (seeds ${CI_SEEDS[0]}..${CI_SEEDS[CI_SEEDS.length - 1]})`, { timeout: 900_000 }, async () => {
    const ctx = deviceOf(acquired);
    const report = await ctx.raceLost(fuzz(ctx.device, CI_SEEDS));
    expect(report.failures.map(describeFailure)).toEqual([]);
    expect(report.graphs).toBe(CI_SEEDS.length);
    // Every graph has at least one output, and some graphs were checked through their gradients.
    expect(report.errors.outputs).toBeGreaterThanOrEqual(CI_SEEDS.length);
    expect(report.gradientGraphs).toBeGreaterThan(0);
    expect(ctx.takeErrors().map((error) => error.message)).toEqual([]);
  });
});
