// CI short version of the l2l-navigation experiment (its --quick settings): A2C meta-training of a
// small LSNN actor-critic on a 4 × 4 arena on the default backend, asserting that the trained agent
// finds held-out goals more often than the random policy by the stated margin.
import { evaluateNavigation, metaTrainNavigation, summarizeFinds, withNavigationAgent, type NavigationRun } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { trainBackend } from '../../test/support/train-backend.js';
import { episodeSeeds } from './episode-seeds.js';
import { QUICK, QUICK_MARGIN, QUICK_TEST_BATCHES, speedupOf } from './experiments/l2l-navigation.js';

describe('meta-RL navigation, short version', () => {
  it('the meta-trained LSNN finds held-out goals more often than the random policy', async () => {
    const seeds = episodeSeeds(1);
    const run: NavigationRun = { ...QUICK, seed: 1, seeds: { train: seeds.train, validation: seeds.validation } };
    const random = await evaluateNavigation(undefined, run, seeds.test, QUICK_TEST_BATCHES);
    const backend = trainBackend();
    const outcome = await metaTrainNavigation(backend, run, (line) => console.log(`l2l-navigation (short): ${line}`));
    const test = await withNavigationAgent(backend, run, outcome.params, (forward) => evaluateNavigation(forward, run, seeds.test, QUICK_TEST_BATCHES));
    expect(test.meanFinds).toBeGreaterThanOrEqual(QUICK_MARGIN * random.meanFinds);
  }, 180_000);
});

describe('the l2l-navigation result rows', () => {
  it('refuse a run without later searches in one line naming the experiment, instead of writing NaN', () => {
    const none = summarizeFinds([{ first: 20, later: [], finds: 0 }], 20);
    expect(() => speedupOf(none, 'random policy')).toThrow(
      'l2l-navigation: random policy made no later search on the held-out goals (none found the goal with a 20-step window left), so there is no speed-up to report',
    );
    expect(speedupOf(summarizeFinds([{ first: 12, later: [3, 5], finds: 3 }], 20), 'random policy')).toBe(3);
  });
});
