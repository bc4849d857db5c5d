import type { Runner } from '@spikeflow/core';
import { softmaxPolicy } from '../rl/policies.js';
import { TaskRng } from '../tasks/task-rng.js';
import { arenaInputSize, encodeArenaObservation, type ArenaInputCode } from './arena-inputs.js';
import { findTimes, type FindTimes } from './find-times.js';
import { NAVIGATION_ACTIONS, NAVIGATION_FEEDS } from './navigation-agent.js';
import { NavigationArena, type NavigationArenaOptions } from './navigation-arena.js';

/** One batch of navigation episodes as played: what the training model replays, and what was found. */
export interface NavigationRollout {
  readonly batch: number;
  readonly envSteps: number;
  /** The LSNN's input [envSteps·substeps, B, inputs] (each arena step's channels held for `substeps` steps). */
  readonly inputs: Float32Array;
  /** [envSteps·B], step-major (index t·B + b). */
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly finds: readonly FindTimes[];
  /** Per episode: the goal cell, the start cell, then the cell after each step (after a find: the new placement). */
  readonly trajectories: readonly { readonly goal: readonly [number, number]; readonly cells: readonly (readonly [number, number])[] }[];
}

/** The arena episodes of one batch: episode b of batch seed s resets its arena with the b-th draw of TaskRng(s). */
export function arenaEpisodeSeeds(batchSeed: number, batch: number): number[] {
  const rng = new TaskRng(batchSeed);
  return Array.from({ length: batch }, () => rng.int(2 ** 31));
}

/**
 * Plays `batch` episodes side by side from `batchSeed`. With a `forward` (`navigationStepModel` of
 * this batch, params set) each action is drawn from softmax(logits); without one, uniformly (the
 * random-policy baseline). Actions use TaskRng(batchSeed, 1), so a seed replays the same batch.
 * `window`: the search window of the find times (`findTimes`).
 */
export async function playNavigation(
  forward: Runner | undefined,
  arena: Required<NavigationArenaOptions>,
  code: Pick<ArenaInputCode, 'width' | 'gain'>,
  substeps: number,
  batch: number,
  batchSeed: number,
  window: number,
): Promise<NavigationRollout> {
  const T = arena.episodeLength;
  const d = arenaInputSize(arena.size);
  const full: ArenaInputCode = { ...code, size: arena.size, reward: arena.reward };
  const envs = arenaEpisodeSeeds(batchSeed, batch).map((seed) => {
    const env = new NavigationArena(arena);
    return { env, observation: env.reset(seed) };
  });
  const actionRng = new TaskRng(batchSeed, 1);
  const inputs = new Float32Array(T * substeps * batch * d);
  const actions = new Int32Array(T * batch);
  const rewards = new Float32Array(T * batch);
  const trajectories = envs.map(({ env }) => ({ goal: env.positions.goal, cells: [env.positions.agent] as (readonly [number, number])[] }));
  const stepInput = new Float32Array(substeps * batch * d);
  forward?.resetState();
  for (let t = 0; t < T; t++) {
    envs.forEach(({ observation }, b) => {
      for (let k = 0; k < substeps; k++) encodeArenaObservation(full, observation, stepInput, (k * batch + b) * d);
    });
    inputs.set(stepInput, t * stepInput.length);
    const logits = forward ? (await forward.run({ [NAVIGATION_FEEDS.x]: { type: { shape: [substeps, batch, d], dtype: 'f32' }, data: stepInput } })).logits!.data : undefined;
    envs.forEach((e, b) => {
      const action = logits ? softmaxPolicy(logits.subarray(b * NAVIGATION_ACTIONS, (b + 1) * NAVIGATION_ACTIONS), 1, actionRng) : actionRng.int(NAVIGATION_ACTIONS);
      const next = e.env.step(action);
      actions[t * batch + b] = action;
      rewards[t * batch + b] = next.reward;
      e.observation = next.observation;
      trajectories[b]!.cells.push(e.env.positions.agent);
    });
  }
  const finds = envs.map((_, b) => findTimes(Array.from({ length: T }, (_, t) => rewards[t * batch + b]!), window));
  return { batch, envSteps: T, inputs, actions, rewards, finds, trajectories };
}
