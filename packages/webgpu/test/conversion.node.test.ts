// A converted SNN (ANN-to-SNN conversion, @spikeflow/models) on the CPU reference and on WebGPU:
// the spike counts and summed output currents agree for constant and Poisson input, and so do
// the analog activations the scales are taken from.
import { cpuBackend, evaluate, tensor, toArray, type HostTensor } from '@spikeflow/core';
import { activationScales, annMlp, convertedSnnGraph, convertToSnn, layerActivations, snnOutputName, weightLayers } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, webgpuBackend } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU conversion tests');

const SPEC = annMlp([12, 16, 10, 5]);
const BATCH = 8;
const X = Float32Array.from(testData(1, BATCH * 12, 0, 1));
const PARAMS: Record<string, HostTensor> = Object.fromEntries(
  weightLayers(SPEC).flatMap((l, k) => [
    [`${l.name}/w`, tensor([l.spec.in, l.spec.out], testData(10 + k, l.spec.in * l.spec.out, -0.5, 0.6))],
    [`${l.name}/b`, tensor([l.spec.out], testData(20 + k, l.spec.out, -0.1, 0.2))],
  ]),
);

describe.skipIf(skip)('ANN-to-SNN conversion, CPU reference vs WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('the activations and so the scales agree', async () => {
    const data = { count: BATCH, images: X };
    const cpu = await layerActivations(cpuBackend(), SPEC, PARAMS, data, BATCH);
    const gpu = await layerActivations(webgpuBackend(deviceOf(acquired).device), SPEC, PARAMS, data, BATCH);
    for (const [name, values] of cpu) expect(scaledMaxError(tensor([values.length], gpu.get(name)!), tensor([values.length], values)), name).toBeLessThan(1e-5);
    activationScales(SPEC, gpu).forEach((s, k) => expect(s.scale).toBeCloseTo(activationScales(SPEC, cpu)[k]!.scale, 5));
  });

  it.each(['constant', 'poisson'] as const)('%s input: counts and summed currents at T = 5 and 20 agree', async (encoding) => {
    const snn = convertToSnn(SPEC, PARAMS, [{ layer: 'linear0', scale: 1.4 }, { layer: 'linear2', scale: 1.1 }, { layer: 'linear4', scale: 0.7 }]);
    const g = convertedSnnGraph(snn, { steps: 20, batch: BATCH, readAt: [5, 20], encoding, seed: 3 });
    const inputs = { x: tensor([BATCH, 12], X), ...(encoding === 'poisson' ? { draw: tensor([], [2], 'u32') } : {}) };
    const cpu = evaluate(g, { inputs, params: snn.params }).outputs;
    const exe = await compile(g, deviceOf(acquired).device);
    exe.setParams(snn.params);
    const gpu = await exe.run(inputs);
    exe.destroy();
    for (const t of [5, 20]) {
      const counts = snnOutputName('counts', t);
      expect(toArray(gpu[counts]!), counts).toEqual(toArray(cpu[counts]!));
      expect(toArray(cpu[counts]!).some((c) => c > 0), `${counts}: some output spikes`).toBe(true);
      const membrane = snnOutputName('membrane', t);
      expect(scaledMaxError(gpu[membrane]!, cpu[membrane]!), membrane).toBeLessThan(1e-4);
    }
  });
});
