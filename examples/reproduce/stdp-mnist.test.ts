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

  it('a score between passes equals the run with that many passes, and leaves the later passes unchanged', async () => {
    const digits = stdpDigits(mnistSplit(await loadMnist()), 0, 2);
    const budget = { ...QUICK.budget, trainCount: 200, assignCount: 200, testCount: 200 };
    const train = (passes: number, scoreAfterPasses: number[] = []) =>
      trainStdpMnist({ network: diehlCook(QUICK.network), budget: { ...budget, passes }, ...digits, device: { kind: 'event-driven' }, seed: 0, scoreAfterPasses });
    const [one, two, twoScored] = [await train(1), await train(2), await train(2, [1])];
    expect(twoScored.passScores.map((s) => s.passes)).toEqual([1, 2]);
    expect(twoScored.passScores[0]).toEqual(one.passScores[0]);
    expect(twoScored.passScores[1]).toEqual(two.passScores[0]);
    expect(Array.from(twoScored.weights.data)).toEqual(Array.from(two.weights.data));
  }, 120_000);
});
