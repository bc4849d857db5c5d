// NIR graphs imported with @spikeflow/nir, run on WebGPU (dawn.node) against the CPU interpreter:
// spikes equal exactly, membrane potentials to 1e-5 relative. Small T and batch for the software GPU.
import { evaluate, initParams, toArray, trace } from '@spikeflow/core';
import { lsnn } from '@spikeflow/models';
import { exportLsnn, importNir, readNir, type ImportOptions, type NirModel } from '@spikeflow/nir';
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

  /** Runs `model` on the CPU and on WebGPU and compares every neuron's spikes, potentials and the output. */
  async function agree(model: NirModel, x: ArrayLike<number>): Promise<void> {
    const { device } = deviceOf(acquired);
    const cpu = evaluate(model.graph, { inputs: { input: x }, params: model.params }).outputs;
    const exe = await compile(model.graph, device);
    exe.setParams(model.params);
    const gpu = await exe.run({ input: x });
    const within = (name: string) => {
      const [v, w] = [toArray(cpu[name]!), toArray(gpu[name]!)];
      const worst = v.reduce((m, a, i) => Math.max(m, Math.abs(a - w[i]!) / Math.max(1, Math.abs(a))), 0);
      expect(worst, name).toBeLessThanOrEqual(1e-5);
    };
    for (const name of model.neuronOutputs) {
      const out = toArray(cpu[name]!);
      // Spiking neurons' spikes equal exactly; a leaky integrator's output is its potential.
      if (out.every((s) => s === 0 || s === 1)) expect(toArray(gpu[name]!), name).toEqual(out);
      else within(name);
      within(`${name}/v`);
    }
    expect(toArray(cpu[model.neuronOutputs[0]!]!).some((s) => s === 1)).toBe(true);
    const output = toArray(cpu.output!);
    if (output.every((s) => s === 0 || s === 1)) expect(toArray(gpu.output!)).toEqual(output);
    else within('output');
    exe.destroy();
  }

  for (const c of cases) {
    it(`${c.file}: the CPU's spikes exactly, its potentials to 1e-5`, async () => {
      const options: ImportOptions = { ...c.options, potentials: true };
      const model = importNir(await readNir(readSharedNir(c.file), c.file), options);
      await agree(model, bernoulliSpikes(c.options.steps * c.options.batch * c.inputSize, 0.3, 11));
    });
  }

  it('an exported LSNN (the decay leak, the next-step reset, an LI readout): the CPU\'s spikes exactly, potentials to 1e-5', async () => {
    const [T, B, I] = [20, 2, 5];
    const options = { inputs: I, nLif: 10, nAlif: 0, outputs: 3, dt: 1, tauM: 7, tauOut: 3, b0: 0.3, refractory: 0, inputScale: 4, recurrentScale: 3, outputScale: 2 };
    const graph = trace((b) => ({ y: lsnn(options)(b, b.input('x', [T, B, I])).readout }));
    const params = Object.fromEntries(Object.entries(initParams(graph, { seed: 3 })).map(([k, v]) => [k, toArray(v)]));
    const { document, importOptions } = exportLsnn(options, params, { dt: 1e-3 });
    const model = importNir(document, { ...importOptions, steps: T, batch: B, potentials: true });
    await agree(model, bernoulliSpikes(T * B * I, 0.3, 8));
  });
});
