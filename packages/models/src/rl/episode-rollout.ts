import { fail, type Runner } from '@spikeflow/core';
import type { TaskRng } from '../tasks/task-rng.js';
import type { Environment } from './environment.js';
import { PLASTIC_AGENT } from './plastic-agent-graphs.js';
import { softmaxPolicy } from './policies.js';
import { timeMajorReturns } from './returns.js';

/** B episodes of T steps played side by side, time-major (row t·B + b). */
export interface EpisodeBatch {
  readonly steps: number;
  readonly batch: number;
  /** The observation each action was chosen on, [T, B, D]. */
  readonly observations: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  /** The sum of rewards of each episode, [B]. */
  readonly totals: Float64Array;
  /** M(t) of every step, [T, B], when the agent is neuromodulated. */
  readonly modulation?: Float32Array;
}

/**
 * Plays one episode of `steps` steps in each environment (seeded by `seeds`), all stepped by ONE
 * call of the acting graph (`plasticAgentActGraph`, batch = environments) per step; actions are
 * drawn from softmax(logits) with `rng`. The first call marks every row fresh, so each episode
 * starts with zero membranes and zero Hebb.
 */
export async function rolloutEpisodes(runner: Runner, environments: readonly Environment[], seeds: readonly number[], steps: number, rng: TaskRng): Promise<EpisodeBatch> {
  const batch = environments.length;
  if (seeds.length !== batch) fail('shape', 'rolloutEpisodes.seeds', 'needs one seed per environment', String(batch), String(seeds.length));
  let current = environments.map((env, i) => env.reset(seeds[i]!));
  const size = current[0]!.length;
  const observations = new Float32Array(steps * batch * size);
  const actions = new Int32Array(steps * batch);
  const rewards = new Float32Array(steps * batch);
  const totals = new Float64Array(batch);
  let modulation: Float32Array | undefined;
  for (let t = 0; t < steps; t++) {
    current.forEach((o, i) => observations.set(o, (t * batch + i) * size));
    const out = await runner.run({ [PLASTIC_AGENT.observation]: observations.subarray(t * batch * size, (t + 1) * batch * size), [PLASTIC_AGENT.fresh]: new Float32Array(batch).fill(t === 0 ? 1 : 0) });
    const logits = out[PLASTIC_AGENT.logits]!.data as Float32Array;
    const m = out[PLASTIC_AGENT.modulation]?.data as Float32Array | undefined;
    if (m) (modulation ??= new Float32Array(steps * batch)).set(m, t * batch);
    const width = logits.length / batch;
    current = environments.map((env, i) => {
      const action = softmaxPolicy(logits.subarray(i * width, (i + 1) * width), 1, rng);
      const step = env.step(action);
      actions[t * batch + i] = action;
      rewards[t * batch + i] = step.reward;
      totals[i]! += step.reward;
      return step.observation;
    });
  }
  return { steps, batch, observations, actions, rewards, totals, modulation };
}

/** `timeMajorReturns` of the batch: each episode (its own column) discounted on its own. */
export function episodeReturns(episodes: EpisodeBatch, gamma: number): Float32Array {
  return timeMajorReturns(episodes.rewards, episodes.steps, episodes.batch, gamma);
}
