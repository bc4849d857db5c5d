// The random-policy baseline of the maze-neuromodulation experiment, against a simulation.
import { expect, it } from 'vitest';
import { BUDGET } from './experiments/maze-neuromodulation.js';
import { randomPolicyReward } from './maze-neuromodulation-training.js';

it('the random-policy baseline is the mean reward of uniformly random moves on the test episodes', () => {
  // An independent simulation of 2,000 random-move episodes of the 5×5 maze (50 steps, reward 10,
  // no wall penalty) gives 29.4 per episode, with a per-episode standard deviation of 18, so the mean
  // of 64 episodes lies within ±7 of it (three standard errors).
  for (const seed of [1, 2, 3]) {
    const baseline = randomPolicyReward({ ...BUDGET, maze: { ...BUDGET.maze, wallPenalty: 0 } }, seed);
    expect(baseline).toBeGreaterThan(29.4 - 7);
    expect(baseline).toBeLessThan(29.4 + 7);
  }
});
