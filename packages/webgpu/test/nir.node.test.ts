// NIR graphs imported with @spikeflow/nir, run on WebGPU (dawn.node) against the CPU interpreter:
// spikes equal exactly, membrane potentials to 1e-5 relative. Small T and batch for the software GPU.
import { evaluate, toArray } from '@spikeflow/core';
import { importNir, readNir, type ImportOptions } from '@spikeflow/nir';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { readSharedNir } from '../../nir/test/shared-files.js';
import { bernoulliSpikes } from '../../nir/test/spike-input.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU NIR tests');

const cases = [
  { file: 'cnn_sinabs.nir', options: { dt: 1, steps: 3, batch: 1 }, inputSize: 2 * 34 * 34 },
  { file: 'braille_noDelay_bias_zero.nir', options: { dt: 1e-4, steps: 24, batch: 2, reset: 'to-reset-value' }, inputSize: 12 },
  { file: 'braille_noDelay_noBias_subtract.nir', options: { dt: 1e-4, steps: 24, batch: 2, reset: 'subtract-threshold' }, inputSize: 12 },
] as const;

describe.skipIf(skip)('imported NIR graphs on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  for (const c of cases) {
    it(`${c.file}: the CPU's spikes exactly, its potentials to 1e-5`, async () => {
      const { device } = deviceOf(acquired);
      const options: ImportOptions = { ...c.options, potentials: true };
      const model = importNir(await readNir(readSharedNir(c.file), c.file), options);
      const x = bernoulliSpikes(c.options.steps * c.options.batch * c.inputSize, 0.3, 11);
      const cpu = evaluate(model.graph, { inputs: { input: x }, params: model.params }).outputs;
      const exe = await compile(model.graph, device);
      exe.setParams(model.params);
      const gpu = await exe.run({ input: x });
      for (const name of model.neuronOutputs) {
        const spikes = toArray(cpu[name]!);
        expect(toArray(gpu[name]!), name).toEqual(spikes);
        const [v, w] = [toArray(cpu[`${name}/v`]!), toArray(gpu[`${name}/v`]!)];
        const worst = v.reduce((m, a, i) => Math.max(m, Math.abs(a - w[i]!) / Math.max(1, Math.abs(a))), 0);
        expect(worst, `${name}/v`).toBeLessThanOrEqual(1e-5);
      }
      expect(toArray(cpu[model.neuronOutputs[0]!]!).some((s) => s === 1)).toBe(true);
      expect(toArray(gpu.output!)).toEqual(toArray(cpu.output!));
      exe.destroy();
    });
  }
});
