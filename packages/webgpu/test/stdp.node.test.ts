// The Diehl & Cook network with triplet STDP on WebGPU: one whole learning presentation (W, θ and
// the traces changing every step inside the scan) matches the CPU reference interpreter.
import { evaluate, tensor } from '@spikeflow/core';
import { DIEHL_COOK, diehlCook, diehlCookGraph, poissonSpikes } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU STDP test');

describe.skipIf(skip)('STDP on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('a learning presentation gives the CPU’s spike counts, weights and thresholds', async () => {
    const options = diehlCook({ inputs: 64, neurons: 6, steps: 80, thresholdOffset: 0, weightTotal: 6.4, thetaPlus: 0.5, inputGain: 3, stdp: { form: 'multiplicative', etaPost: 0.05 } });
    const graph = diehlCookGraph(options, 'train');
    const intensities = Array.from({ length: 64 }, (_, i) => ((i * 37) % 11) / 10);
    const spikes = tensor([80, 1, 64], poissonSpikes(intensities, 80, { maxRate: 250, dt: 1, seed: 5 }).spikes);
    const cpu = evaluate(graph, { inputs: { [DIEHL_COOK.spikes]: spikes } }, { seed: 3 });
    const exe = await compile(graph, deviceOf(acquired).device, { seed: 3 });
    try {
      const gpu = await exe.run({ [DIEHL_COOK.spikes]: spikes });
      const state = await exe.readState();
      const counts = Array.from(cpu.outputs[DIEHL_COOK.counts]!.data);
      expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(5); // the presentation did fire, so STDP did act
      expect(Array.from(gpu[DIEHL_COOK.counts]!.data)).toEqual(counts);
      const maxError = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
      expect(maxError(state[DIEHL_COOK.weights]!.data, cpu.state[DIEHL_COOK.weights]!.data)).toBeLessThan(1e-5);
      expect(maxError(state[DIEHL_COOK.theta]!.data, cpu.state[DIEHL_COOK.theta]!.data)).toBeLessThan(1e-5);
      // The weights did move: the initial W (normalised) differs from the learned one.
      const initial = evaluate(graph, { inputs: { [DIEHL_COOK.spikes]: tensor([80, 1, 64], new Float32Array(80 * 64)) } }, { seed: 3 });
      expect(maxError(initial.state[DIEHL_COOK.weights]!.data, cpu.state[DIEHL_COOK.weights]!.data)).toBeGreaterThan(1e-3);
    } finally {
      exe.destroy();
    }
  });
});
