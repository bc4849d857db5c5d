// The trainer (written against @spikeflow/core's TrainBackend) on WebGPU through the adapter:
// the same small spiking task as the CPU tests, trained on the GPU, checkpointed and resumed.
import { cpuBackend, type HostTensor } from '@spikeflow/core';
import { adam } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../models/src/checkpoint/index.js';
import { cosineAnnealing } from '../../models/src/schedules/index.js';
import { Trainer, type EpochMetrics, type TrainerOptions } from '../../models/src/trainer/index.js';
import { spikeClassifier, spikeData } from '../../models/test/support/spike-task.js';
import { webgpuBackend } from '../src/runtime/train-backend.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU trainer tests');

const maxAbsDiff = (a: HostTensor, b: HostTensor) => Array.from(a.data).reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i]!)), 0);

describe.skipIf(skip)('trainer on the WebGPU backend', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  const options = (): TrainerOptions => ({
    backend: webgpuBackend(deviceOf(acquired).device),
    model: spikeClassifier(),
    optimizer: adam(),
    data: spikeData(),
    schedule: cosineAnnealing(0.05, { tMax: 30, etaMin: 0.005 }),
    schedulePer: 'step',
    seed: 3,
    accuracy: { scores: 'scores', labels: 'labels' },
  });

  it('learns the spike task, following the CPU run step for step at first', async () => {
    const constantLr = { schedule: 0.05, schedulePer: 'epoch' } as const;
    const gpu = await Trainer.create({ ...options(), ...constantLr });
    const cpu = await Trainer.create({ ...options(), ...constantLr, backend: cpuBackend() });
    const history = await gpu.runEpochs(6);
    const [cpuFirst] = await cpu.runEpochs(1);
    console.log(history.map((m: EpochMetrics) => `epoch ${m.epoch}: loss ${m.loss.toFixed(4)}, test ${m.testLoss!.toFixed(4)}, accuracy ${m.testAccuracy!.toFixed(3)}, ${m.ms.toFixed(0)} ms`).join('\n'));
    expect(history[0]!.loss).toBeCloseTo(cpuFirst!.loss, 3);
    expect(history[5]!.loss).toBeLessThan(history[0]!.loss / 3);
    expect(history[5]!.testAccuracy!).toBeGreaterThanOrEqual(0.9); // chance is 1/3
    gpu.destroy();
    cpu.destroy();
  });

  it('resumes a checkpoint as the same run: 1 + 1 epochs give the params and state of 2 (within 1e-6)', async () => {
    const whole = await Trainer.create(options());
    await whole.runEpochs(2);
    const expected = decodeCheckpoint(await whole.checkpoint());

    const first = await Trainer.create(options());
    await first.runEpochs(1);
    const saved = await first.checkpoint();
    first.destroy();
    const resumed = await Trainer.create(options());
    await resumed.resume(saved);
    await resumed.runEpochs(1);
    const got = decodeCheckpoint(await resumed.checkpoint());

    expect(got.progress).toEqual(expected.progress);
    expect(Object.keys(got.tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, t] of Object.entries(expected.tensors)) expect(maxAbsDiff(got.tensors[name]!, t), name).toBeLessThanOrEqual(1e-6);
    // The GPU state really moved: the resumed params are not the checkpoint's.
    expect(maxAbsDiff(got.tensors['linear0/w']!, decodeCheckpoint(saved).tensors['linear0/w']!)).toBeGreaterThan(1e-4);
    whole.destroy();
    resumed.destroy();
  });

  it('a rejected checkpoint leaves the GPU state untouched', async () => {
    const trainer = await Trainer.create(options());
    await trainer.runEpochs(1);
    const before = await trainer.checkpoint();
    await expect(trainer.resume(before.subarray(0, before.length - 7))).rejects.toThrow(/checkpoint/);
    expect(await trainer.checkpoint()).toEqual(before);
    trainer.destroy();
  });
});
