// The maze-neuromodulation experiment: its random-policy baseline against a simulation, and its quick run learning.
import { expect, it } from 'vitest';
import { trainBackend } from '../../test/support/train-backend.js';
import { QUICK_BUDGET, QUICK_MARGIN } from './experiments/maze-neuromodulation.js';
import { randomPolicyReward, trainMazeAgent } from './maze-neuromodulation-training.js';

it('the random-policy baseline is the mean reward of uniformly random moves on the test episodes', () => {
  // An independent simulation of 2,000 random-move episodes of the 5×5 maze (50 steps, reward 10,
  // no wall penalty) gives 29.4 per episode, with a per-episode standard deviation of 18, so the mean
  // of 64 episodes lies within ±7 of it (three standard errors).
  for (const seed of [1, 2, 3]) {
    const baseline = randomPolicyReward({ ...QUICK_BUDGET, maze: { ...QUICK_BUDGET.maze, wallPenalty: 0 } }, seed);
    expect(baseline).toBeGreaterThan(29.4 - 7);
    expect(baseline).toBeLessThan(29.4 + 7);
  }
});

it('the quick budget trains the neuromodulated SNN agent past a random policy on held-out episodes', async () => {
  // The CI smoke run's claim, on the default backend: 40 A2C updates of 16 episodes.
  const run = await trainMazeAgent(trainBackend(), QUICK_BUDGET, 'neuromodulated', 1, () => {});
  const random = randomPolicyReward(QUICK_BUDGET, 1);
  expect(run.testRewards).toHaveLength(QUICK_BUDGET.testEpisodes);
  expect(run.testReward).toBeGreaterThan(random + QUICK_MARGIN);
}, 600_000);
