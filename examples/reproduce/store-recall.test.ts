// CI short versions of the store-recall and deep-r experiments: the same training routine at a
// small scale on the default backend (bounded time, no shader compiles), asserting that learning
// happened and, for DEEP R, that the active connection count was the same after every step.
import { stepDecay } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { trainBackend } from '../../test/support/train-backend.js';
import { trainStoreRecall, type StoreRecallRun } from './store-recall-training.js';

/** 6 characters of 5 steps (T = 30), 1 bit: chance is 1/2. An LSNN of 10 LIF + 10 ALIF neurons, the experiments' time constants. */
const SHORT: StoreRecallRun = {
  task: { length: 6, charSteps: 5, bits: 1, commandProb: 1 / 3, code: { perChannel: 4, rate: 0.5 } },
  network: { nLif: 10, nAlif: 10, tauM: 4, tauOut: 4, tauA: 100, beta: 1.7 },
  budget: { steps: 240, batch: 32, lr: stepDecay(0.02, { stepSize: 80, gamma: 0.5 }), evalEvery: 80, curveEpisodes: 64, testEpisodes: 256, evalBatch: 128 },
  seed: 1,
};
const CHANCE_ACCURACY = 0.5;
/** Held-out loss must fall at least this many times below the untrained network's. */
const LOSS_FACTOR = 2;
/** Held-out recall accuracy must beat chance by this margin. */
const ACCURACY_MARGIN = 0.3;

const backend = trainBackend();
const log = (line: string) => console.log(`store-recall (short): ${line}`);

describe('store-recall LSNN, short version', () => {
  it('an LSNN learns store-recall: held-out loss down by the stated factor, recall accuracy above chance by the stated margin', async () => {
    const outcome = await trainStoreRecall(backend, SHORT, log);
    expect(outcome.heldOutLoss).toBeLessThan(outcome.initialLoss / LOSS_FACTOR);
    expect(1 - outcome.recallError).toBeGreaterThan(CHANCE_ACCURACY + ACCURACY_MARGIN);
  });

  it('DEEP R learns it with the active connection count the same after every step', async () => {
    const run: StoreRecallRun = { ...SHORT, network: { ...SHORT.network, deepR: { connectivity: 0.2, inputConnectivity: 0.5 } }, deepR: { l1: 1e-4, temperature: 1e-6 } };
    const outcome = await trainStoreRecall(backend, run, log);
    const targets = outcome.connections!;
    expect(Object.keys(targets).length).toBe(2);
    for (const [name, counts] of Object.entries(outcome.activePerStep!)) {
      expect(counts.length, `${name}: one read-back per step`).toBe(SHORT.budget.steps);
      expect(new Set(counts), `${name}: the count after every step`).toEqual(new Set([targets[name]!.active]));
    }
    expect(outcome.revived, 'connections were rewired').toBeGreaterThan(0);
    expect(outcome.heldOutLoss).toBeLessThan(outcome.initialLoss / LOSS_FACTOR);
    expect(1 - outcome.recallError).toBeGreaterThan(CHANCE_ACCURACY + ACCURACY_MARGIN);
  });
});
