// CI short version of the federated-mnist experiment on the default backend: FedAvg (τ = 5) over 10
// non-IID clients, 4,000 samples (4 rounds); its test accuracy must beat chance (10%) by 20 points.
import { loadMnist, mnistSplit } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { trainBackend } from '../../test/support/train-backend.js';
import { QUICK_BAR, QUICK_BUDGET } from './experiments/federated-mnist.js';
import { digitSet } from './digit-set.js';
import { federatedMnistData, isOneTwoFive, trainFederatedMnist } from './federated-mnist-training.js';

describe('federated-mnist helpers', () => {
  it('pools 2×2 pixels by their mean, worked by hand', () => {
    const images = new Float32Array(2 * 784);
    images.set([1, 0.5], 784); // digit 1, row 0: pixels 0 and 1
    images.set([0.25, 0.25], 784 + 28); // digit 1, row 1: pixels 0 and 1
    const pooled = digitSet({ count: 2, images, labels: Int32Array.of(0, 0) }, [1], 2).images;
    expect(pooled.length).toBe(196);
    expect(pooled[0]).toBe(0.5); // (1 + 0.5 + 0.25 + 0.25) / 4
    expect(Array.from(pooled.subarray(1)).every((v) => v === 0)).toBe(true);
  });

  it('evaluates at rounds 1, 2, 5, 10, 20, 50, ...', () => {
    expect(Array.from({ length: 200 }, (_, i) => i + 1).filter(isOneTwoFive)).toEqual([1, 2, 5, 10, 20, 50, 100, 200]);
  });
});

it('FedAvg on the non-IID split learns: test accuracy above chance (10%) by 20 points', async () => {
  const budget = QUICK_BUDGET;
  const data = federatedMnistData(mnistSplit(await loadMnist()), budget, 1);
  const run = await trainFederatedMnist({ backend: trainBackend(), budget, data, tau: 5, seed: 1, log: (line) => console.log(`federated-mnist (short): ${line}`) });
  expect(run.rounds).toBe(4);
  // Every round sends 10 clients' float32 params up and the global params down to each: 2 · 10 · 13,184 · 4 bytes.
  expect(run.upBytes).toBe(4 * 10 * 13_184 * 4);
  expect(run.downBytes).toBe(run.upBytes);
  expect(run.testAccuracy).toBeGreaterThan(QUICK_BAR);
}, 300_000);
