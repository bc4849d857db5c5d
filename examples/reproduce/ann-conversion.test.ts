// CI short version of the ann-conversion experiment: the same routine (train a ReLU MLP, balance
// by the 99.9th percentile, convert to IF neurons) at a small scale on the default backend,
// asserting that the converted network at T = 100 is within a stated margin of the ANN.
import { loadMnist, mnistSplit } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { trainBackend } from '../../test/support/train-backend.js';
import { digitSubset, runConversion } from './ann-conversion-run.js';

/** 2,000 training and 500 held-out digits, 784-64-10, 3 epochs: an ANN near 85% (84.6% at seed 1), in about 25 s. */
const TRAIN = 2000;
const TEST = 500;
/** The SNN's spike-count accuracy at T = 100 may trail the ANN's by at most this (5 of 500 digits; the full run's claim is 1 point). */
const MARGIN = 0.02;
/** The ANN must have learnt something for the comparison to mean anything (chance is 0.1). */
const ANN_FLOOR = 0.8;

describe('ann-conversion, short version', () => {
  it(`the converted SNN at T = 100 is within ${MARGIN} of the ANN on held-out digits`, async () => {
    const split = mnistSplit(await loadMnist());
    const outcome = await runConversion({
      backend: trainBackend(),
      budget: { sizes: [784, 64, 10], epochs: 3, batch: 50, lr: 3e-3 },
      conversion: { scales: { method: 'percentile', percentile: 99.9 }, steps: [10, 100], evalBatch: 100 },
      train: digitSubset(split.train, TRAIN, 1),
      test: digitSubset(split.test, TEST, 2),
      seed: 1,
      log: (line) => console.log(`ann-conversion (short): ${line}`),
    });
    expect(outcome.annAccuracy).toBeGreaterThan(ANN_FLOOR);
    const [t10, t100] = outcome.snn;
    expect(t100!.steps).toBe(100);
    expect(t100!.counts).toBeGreaterThanOrEqual(outcome.annAccuracy - MARGIN);
    // Fewer steps, coarser rates: T = 10 is no better than T = 100 by more than noise allows.
    expect(t10!.counts).toBeLessThanOrEqual(t100!.counts + MARGIN);
  });
});
