import { loadMnist, mnistSplit, pooling, praShape } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { QUICK } from './experiments/spiking-inception.js';
import { stdpDigits } from './stdp-mnist-training.js';
import { trainInceptionStack, type InceptionModuleSpec } from './spiking-inception-training.js';

const network = { steps: 60, inhibition: 100, thetaPlus: 0.2, thresholdOffset: 0, inputGain: 4 };

describe('Spiking Inception modules on MNIST digits', () => {
  it('a stack of two trains layer by layer: module 2 reads module 1\'s pooled, reshaped map', async () => {
    const digits = stdpDigits(mnistSplit(await loadMnist()), 0, 2);
    // Module 1: one group of 4 (14×14) and 2×2 groups of 3 (10×10, stride 4). Max pooling over 2×2
    // positions leaves 4 + 3 = 7 values, laid out as a 3×3 map whose last 2 entries are padding.
    const modules: InceptionModuleSpec[] = [
      { branches: [{ kernel: 14, neurons: 4 }, { kernel: 10, stride: 4, neurons: 3 }], network },
      { branches: [{ kernel: 3, neurons: 5 }], network: { ...network, inputGain: 40 } },
    ];
    const pool = pooling({ window: 2, mode: 'max' });
    const budget = { ...QUICK.budget, trainCount: 150, assignCount: 150, testCount: 50 };
    const run = trainInceptionStack({ modules, pooling: pool, budget, ...digits, seed: 0 });
    const [first, second] = run.modules;
    expect(first!.layouts()).toEqual([{ across: 1, features: 4 }, { across: 2, features: 3 }]);
    expect(praShape(first!.layouts(), pool)).toEqual({ side: 3, values: 7 });
    expect(run.layers.map((l) => [l.inputSide, l.neurons])).toEqual([[14, 4 + 4 * 3], [3, 5]]);
    expect(second!.inputs).toBe(9);
    // The padding entries (7, 8) never spike, so STDP never raises their weights and the
    // normalisation shrinks them as the live inputs' weights grow: module 2 learned on the map.
    const [w] = second!.state();
    const rowMean = (i: number) => w!.w.subarray(i * 5, (i + 1) * 5).reduce((a, b) => a + b, 0) / 5;
    const live = Array.from({ length: 7 }, (_, i) => rowMean(i));
    expect(Math.max(rowMean(7), rowMean(8))).toBeLessThan(0.5 * live.reduce((a, b) => a + b, 0) / 7);
    expect(() => trainInceptionStack({ modules, pooling: pool, budget: { ...budget, assignCount: 100 }, ...digits, seed: 0 })).toThrow(/trainCount 150 must not exceed assignCount 100/);
  }, 120_000);

  it('the quick run: labels after STDP on 1,000 digits beat chance (10%) on held-out digits, by 20 points for one module and 15 for two', async () => {
    const digits = stdpDigits(mnistSplit(await loadMnist()), 0, 2);
    const run = trainInceptionStack({ modules: QUICK.modules, pooling: QUICK.pooling, budget: QUICK.budget, ...digits, seed: 0 });
    expect(run.layers[0]!.testAccuracy).toBeGreaterThanOrEqual(QUICK.bars[0]);
    expect(run.layers[1]!.testAccuracy).toBeGreaterThanOrEqual(QUICK.bars[1]);
  }, 120_000);
});
