// The spike encoders on WebGPU (dawn.node) give the CPU reference's spikes, and their inverses
// its values: one graph holding every encoder and decoder, run on both.
import { evaluate, toArray, trace, type Graph } from '@spikeflow/core';
import { deltaDecode, deltaEncode, latencyDecode, latencyEncode, populationDecode, populationEncode, rateDecode, rateEncode, type LatencyOptions } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { testRandom } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU encoder tests');

const [T, B, F] = [12, 4, 16];
const linear: LatencyOptions = { steps: T, low: -1, high: 1, threshold: 0.05 };
const log: LatencyOptions = { steps: T, threshold: 0.01, scale: 'log' };
const population = { neurons: 8, low: -1, high: 1 } as const;

/**
 * Values whose spike times sit a quarter step from a rounding tie, so a last-bit difference
 * between the CPU's and the GPU's log or division cannot move a spike: linear (1 − x̂)(T − 1)
 * and log (T − 1)·ln x̂/ln θ both equal k + 0.25, for k = 0..T − 2.
 */
const k = (i: number) => (i % (T - 1)) + 0.25;
const linearValues = Array.from({ length: B * F }, (_, i) => 2 * (1 - k(i) / (T - 1)) - 1);
const logValues = Array.from({ length: B * F }, (_, i) => Math.exp((k(i) * Math.log(0.01)) / (T - 1)));

function encoders(): Graph {
  return trace((b) => {
    const x = b.input('x', [B, F]);
    const lin = b.input('lin', [B, F]);
    const lg = b.input('log', [B, F]);
    const signal = b.input('signal', [T, B, F]);
    const rate = rateEncode(b, x, { steps: T, gain: 0.8, seed: 5, counter: 9 });
    const latLin = latencyEncode(b, lin, linear);
    const latLog = latencyEncode(b, lg, log);
    const delta = deltaEncode(b, signal, { threshold: 0.25, initial: 0 });
    const pop = populationEncode(b, x, population);
    return {
      rate,
      rateBack: rateDecode(rate, 0.8),
      latLin,
      latLinBack: latencyDecode(b, latLin, linear),
      latLog,
      latLogBack: latencyDecode(b, latLog, log),
      delta,
      deltaBack: deltaDecode(b, delta, { threshold: 0.25, initial: 0 }),
      pop,
      popBack: populationDecode(b, pop, population),
    };
  });
}

describe.skipIf(skip)('encoders on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('give the CPU reference\'s spike trains exactly, and its decoded values', async () => {
    const next = testRandom(11);
    const feeds = {
      x: Array.from({ length: B * F }, () => next() * 2 - 1),
      lin: linearValues,
      log: logValues,
      // A random walk of steps in multiples of 1/8, so levels and thresholds compare exactly in f32.
      signal: ((): number[] => {
        const level = new Array<number>(B * F).fill(0);
        return Array.from({ length: T }, () => level.map((_, i) => (level[i]! += Math.round(next() * 6 - 3) / 8))).flat();
      })(),
    };
    const graph = encoders();
    const cpu = evaluate(graph, { inputs: feeds }).outputs;
    const exe = await compile(graph, deviceOf(acquired).device);
    const gpu = await exe.run(feeds);
    for (const name of ['rate', 'latLin', 'latLog', 'delta'] as const) {
      const c = toArray(cpu[name]!);
      expect(c.some((v) => v === 1), `${name} spikes somewhere`).toBe(true);
      expect(toArray(gpu[name]!), name).toEqual(c);
    }
    for (const name of ['rateBack', 'latLinBack', 'latLogBack', 'deltaBack', 'pop', 'popBack'] as const) {
      const g = toArray(gpu[name]!);
      toArray(cpu[name]!).forEach((v, i) => expect(Math.abs(g[i]! - v), `${name}[${i}]`).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(v)));
    }
    exe.destroy();
  });
});
