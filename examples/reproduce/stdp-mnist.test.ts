import { diehlCook, loadMnist, mnistSplit } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { QUICK } from './experiments/stdp-mnist.js';
import { stdpDigits, trainStdpMnist } from './stdp-mnist-training.js';

describe('unsupervised STDP on MNIST digits, the quick run', () => {
  it('labels assigned after STDP on 400 digits (event-driven simulator) beat chance (10%) by 20 points on held-out digits', async () => {
    const digits = stdpDigits(mnistSplit(await loadMnist()), 0, 2);
    const run = await trainStdpMnist({ network: diehlCook(QUICK.network), budget: QUICK.budget, ...digits, device: { kind: 'event-driven' }, seed: 0 });
    expect(run.testAccuracy).toBeGreaterThanOrEqual(QUICK.bar);
  }, 120_000);
});
