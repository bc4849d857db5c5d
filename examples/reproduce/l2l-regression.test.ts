// CI short version of the l2l-regression experiment: the same meta-training loop at a small scale
// on the default backend (bounded time, no shader compiles), asserting that meta-training cut the
// loss by a stated factor and that the trained network does better than answering 0 on held-out
// functions.
import { l2lRegression, lossDrop, metaTrainL2l, testL2l, type MetaTrainingRun } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { trainBackend } from '../../test/support/train-backend.js';
import { episodeSeeds } from './episode-seeds.js';

/** 8 trials of 3 steps (T = 24), the last step scored; an LSNN of 8 LIF + 8 ALIF neurons. */
const SHORT: MetaTrainingRun = {
  task: { trials: 8, trialSteps: 3, scoredSteps: 1 },
  network: { nLif: 8, nAlif: 8, tauM: 2, tauOut: 2, tauA: 30, beta: 1.8, refractory: 1 },
  budget: { steps: 100, batch: 16, lr: () => 0.03, evalEvery: 50, curveEpisodes: 16, evalBatch: 32 },
  seed: 1,
  seeds: { train: episodeSeeds(1).train, validation: episodeSeeds(1).validation },
};
/** The mean loss of the last 10 steps must be at least this many times below that of the first 10. */
const LOSS_FACTOR = 1.5;
/** The held-out MSE must be below this fraction of the family variance (the MSE of answering 0). */
const CHANCE_FRACTION = 0.6;

describe('learning-to-learn regression, short version', () => {
  it('meta-training cuts the loss by the stated factor, and the network beats answering 0 on held-out functions', async () => {
    const backend = trainBackend();
    const outcome = await metaTrainL2l(backend, SHORT, (line) => console.log(`l2l-regression (short): ${line}`));
    const drop = lossDrop(outcome.trainLosses, 10);
    expect(drop.factor).toBeGreaterThanOrEqual(LOSS_FACTOR);
    const test = await testL2l(backend, SHORT, outcome.params, episodeSeeds(1).test, 64);
    expect(test.mse).toBeLessThan(CHANCE_FRACTION * l2lRegression(SHORT.task).info.chance.value);
  }, 120_000);
});
