// The trainer's non-finite checks on WebGPU: the on-device count (one reduction over the state
// buffers, only the counts read back) against a hand-placed set of NaN and infinities, and a param
// turned NaN mid-training stopping the run with its name and the step, as on the CPU.
import { SpikeflowError, trace, type HostTensor } from '@spikeflow/core';
import { adam, mse, sgd, trainingGraph } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { Trainer, type TrainerOptions } from '../../models/src/trainer/index.js';
import { expectStopAtEpochEnd, rejectionOf } from '../../models/test/support/non-finite-runs.js';
import { poisonedBackend } from '../../models/test/support/poisoned-backend.js';
import { spikeClassifier, spikeData } from '../../models/test/support/spike-task.js';
import { webgpuBackend } from '../src/runtime/train-backend.js';
import { compileTrainStep } from '../src/runtime/train-step.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU non-finite checks');

const errorOf = rejectionOf;

describe.skipIf(skip)('non-finite checks on the WebGPU backend', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('counts NaN and infinities on the device, per state, exactly where they were put', async () => {
    // w has 90 000 elements: more than the 256 x 256 invocations of one count, so each strides.
    const [R, C] = [300, 300];
    const model = trace((b) => {
      const pred = b.input('x', [1, R]).matmul(b.param('w', [R, C], { kind: 'zeros' })).add(b.param('b', [C], { kind: 'zeros' }));
      return { loss: mse(pred, b.input('y', [1, C])) };
    });
    const step = await compileTrainStep(trainingGraph(model, { loss: 'loss', optimizer: sgd({ momentum: 0.9 }) }), deviceOf(acquired).device);
    const w = new Float32Array(R * C).fill(0.5);
    // NaN at 3 places, +Inf at 2, -Inf at 1 (the last element too): 6. The largest f32, -0 and the
    // smallest subnormal are finite and must not count.
    for (const i of [0, 77_777, 65_536]) w[i] = Number.NaN;
    for (const i of [1, 40_000]) w[i] = Number.POSITIVE_INFINITY;
    w[R * C - 1] = Number.NEGATIVE_INFINITY;
    w.set([3.4028234663852886e38, -0, 1e-45, -3.4028234663852886e38], 100);
    const b = new Float32Array(C);
    b[C - 1] = Number.NaN;
    step.setState({ w: { type: { shape: [R, C], dtype: 'f32' }, data: w }, b: { type: { shape: [C], dtype: 'f32' }, data: b } });
    const names = ['w', 'b', 'w/momentum', 'b/momentum'];
    const counts = await step.countNonFinite(names);
    expect(counts).toEqual({ w: 6, b: 1, 'w/momentum': 0, 'b/momentum': 0 });
    // The same as a host count of the values read back; a second count gives the same (the counts are cleared).
    const read = await step.readState(names);
    const host = Object.fromEntries(names.map((n) => [n, (read[n] as HostTensor).data.filter((v) => !Number.isFinite(v)).length]));
    expect(await step.countNonFinite(names)).toEqual(host);
    await expect(step.countNonFinite(['nope'])).rejects.toThrow(/state\.nope/);
    step.destroy();
  });

  const options = (): TrainerOptions => ({ backend: webgpuBackend(deviceOf(acquired).device), model: spikeClassifier(), optimizer: adam(), data: spikeData(), schedule: 0.05, seed: 2 });

  it('stops when a param turns NaN while the loss stays finite: at the step, with finiteCheckEvery 1', async () => {
    const backend = poisonedBackend(webgpuBackend(deviceOf(acquired).device), { afterStep: 8, state: 'linear2/w', index: 5 });
    const trainer = await Trainer.create({ ...options(), backend, finiteCheckEvery: 1 });
    const error = await errorOf(trainer.runEpochs(3));
    expect(error.code).toBe('nan');
    expect(error.where).toBe('linear2/w');
    expect(error.message).toContain("param 'linear2/w' turned non-finite by step 8, epoch 2 (since the check after step 7, which found every param finite)");
    expect(error.found).toBe('1 NaN or infinite values');
    trainer.destroy();
  });

  it('stops at the end of the epoch by default, naming the first param then non-finite', async () => {
    const trainer = await expectStopAtEpochEnd(webgpuBackend(deviceOf(acquired).device), options());
    trainer.destroy();
  });
});
