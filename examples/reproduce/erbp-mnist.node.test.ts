// The CI short version of the eRBP reproduction: eRBP alone, a 784-100-10 network, 2,000 digits, one epoch, on WebGPU.
import { loadMnist, mnistSplit } from '@spikeflow/models';
import { webgpuBackend } from '@spikeflow/webgpu';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from '../../packages/webgpu/test/node-device.js';
import { trainErbpMnist } from './erbp-mnist-training.js';
import { QUICK_ARCH, QUICK_BUDGET } from './experiments/erbp-mnist.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the eRBP MNIST short run');

const CHANCE = 0.1;
/**
 * Stated bars: validation accuracy rises by 30 points over the untrained network's, and test
 * accuracy beats chance by 30 points (seed 1: 70.6% on the test digits, in about 40 s).
 */
const ACCURACY_MARGIN = 0.3;

describe.skipIf(skip)('eRBP on MNIST digits, short run', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('learns online: validation accuracy rises and test digits are classified well above chance', async () => {
    const split = mnistSplit(await loadMnist());
    const run = await trainErbpMnist({ backend: webgpuBackend(deviceOf(acquired).device), rule: 'erbp', arch: QUICK_ARCH, budget: QUICK_BUDGET, split, seed: 1, log: console.log });
    const untrained = run.curve[0]!;
    const last = run.curve[run.curve.length - 1]!;
    expect(run.curve).toHaveLength(QUICK_BUDGET.epochs + 1);
    expect(last.validationAccuracy).toBeGreaterThan(untrained.validationAccuracy + ACCURACY_MARGIN);
    expect(run.testCount).toBe(QUICK_BUDGET.testCount);
    expect(run.testAccuracy).toBeGreaterThan(CHANCE + ACCURACY_MARGIN);
  }, 120_000);
});
