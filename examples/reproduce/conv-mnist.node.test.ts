// The CI short version of the conv-MNIST reproduction: the conv SNN (tdBN, LIF, max-pool) on 1,000 digits, on WebGPU.
import { loadMnist, mnistSplit } from '@spikeflow/models';
import { webgpuBackend } from '@spikeflow/webgpu';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from '../../packages/webgpu/test/node-device.js';
import { trainConvMnist, type ConvMnistArchitecture, type ConvMnistBudget } from './conv-mnist-training.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the conv-MNIST short run');

const ARCH: ConvMnistArchitecture = { steps: 2, channels: [4, 8] };
const BUDGET: ConvMnistBudget = { epochs: 3, batch: 50, lr: 5e-3, validation: 250, trainCount: 1000, testCount: 250 };
const CHANCE = 0.1;
/**
 * Stated bars: the training loss falls from ln 10 by a factor of at least 2, and test accuracy
 * beats chance by 50 points (seed 1 reached a factor of 3.2 and 80% test accuracy).
 */
const LOSS_FALL_FACTOR = 2;
const ACCURACY_MARGIN = 0.5;

describe.skipIf(skip)('conv SNN on MNIST digits, short run', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('learns: training loss falls and test digits are classified well above chance', async () => {
    const split = mnistSplit(await loadMnist());
    const run = await trainConvMnist({ backend: webgpuBackend(deviceOf(acquired).device), arch: ARCH, budget: BUDGET, split, seed: 1, log: console.log });
    const untrained = run.curve[0]!;
    const last = run.curve[run.curve.length - 1]!;
    expect(run.curve).toHaveLength(BUDGET.epochs + 1);
    expect(untrained.trainLoss).toBeCloseTo(Math.log(10), 0); // an untrained readout is near uniform
    expect(last.trainLoss).toBeLessThan(untrained.trainLoss / LOSS_FALL_FACTOR);
    expect(run.testCount).toBe(BUDGET.testCount);
    expect(run.testAccuracy).toBeGreaterThan(CHANCE + ACCURACY_MARGIN);
  }, 300_000);
});
