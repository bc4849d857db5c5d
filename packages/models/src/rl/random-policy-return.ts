import { fail } from '@spikeflow/core';
import { TaskRng } from '../tasks/task-rng.js';
import type { Environment } from './environment.js';

/**
 * The mean undiscounted return of a uniformly random policy over `episodes` episodes of `env`,
 * each played until `done` or `truncated`: the baseline a learned policy has to beat. Seeded: the
 * episodes' start seeds and the actions come from two streams of `seed`, so one seed gives one number.
 * On `CartPole` (500-step cap) it is about 22.
 */
export function randomPolicyReturn(env: Environment, episodes: number, seed: number, options: { readonly maxSteps?: number } = {}): number {
  if (env.actionSpace.kind !== 'discrete') fail('spec', 'randomPolicyReturn.env', 'needs a discrete action space', 'discrete', env.actionSpace.kind);
  if (!Number.isInteger(episodes) || episodes < 1) fail('attr', 'randomPolicyReturn.episodes', 'must be a positive integer', '>= 1', String(episodes));
  // An environment that never ends an episode would otherwise loop forever.
  const maxSteps = options.maxSteps ?? 100_000;
  const starts = new TaskRng(seed, 1);
  const actions = new TaskRng(seed, 2);
  const n = env.actionSpace.n;
  let total = 0;
  for (let k = 0; k < episodes; k++) {
    env.reset(starts.int(2 ** 31));
    for (let t = 0; ; t++) {
      if (t === maxSteps) fail('attr', 'randomPolicyReturn.maxSteps', `an episode ran ${maxSteps} steps without ending`, 'an episode that ends', `more than ${maxSteps} steps`);
      const step = env.step(actions.int(n));
      total += step.reward;
      if (step.done || step.truncated) break;
    }
  }
  return total / episodes;
}
