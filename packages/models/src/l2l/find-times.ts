import { fail } from '@spikeflow/core';

/**
 * Steps to the goal within one navigation episode, from its rewards (one per step, positive on a
 * find). A search starts at the episode's start or right after a find, and lasts up to and
 * including the next rewarded step. The first search is exploration (the goal is unknown); every
 * later one can be made from memory.
 *
 * Later searches start late in the episode, so counting only the ones that end in time would favour
 * short ones: even a memoryless random walk would look faster after its first find. Every search is
 * therefore scored on the same window: a search is counted only when it starts at least `window`
 * steps before the episode's end, and its length is capped at `window` (not found within the window
 * counts as `window`). For a policy without memory, first and later searches then have the same
 * distribution, and any speed-up is the agent's.
 */
export interface FindTimes {
  /** Capped steps of the first search. */
  readonly first: number;
  /** Capped steps of every later search that started at least `window` steps before the end. */
  readonly later: readonly number[];
  /** Finds in the whole episode (the return, with reward 1). */
  readonly finds: number;
}

export function findTimes(rewards: ArrayLike<number>, window: number): FindTimes {
  if (!Number.isInteger(window) || window < 1 || window > rewards.length) fail('attr', 'findTimes.window', 'must be an integer within the episode', `[1, ${rewards.length}]`, String(window));
  const searches: number[] = [];
  let start = 0;
  let finds = 0;
  for (let t = 0; t < rewards.length; t++) {
    if (rewards[t]! > 0) {
      finds++;
      if (start + window <= rewards.length) searches.push(Math.min(t + 1 - start, window));
      start = t + 1;
    }
  }
  // The search running at the end: scored (as not found in time) when it had its whole window.
  if (start + window <= rewards.length) searches.push(window);
  return { first: searches[0]!, later: searches.slice(1), finds };
}

/** Mean find times over episodes: exploration (first searches) against exploitation (later ones). */
export interface FindSummary {
  readonly episodes: number;
  readonly window: number;
  /** Mean capped steps of the first search. */
  readonly meanFirst: number;
  /** Mean capped steps of the later searches, over all of them; null when no search qualified. */
  readonly meanLater: number | null;
  readonly laterSearches: number;
  /** meanFirst / meanLater: how much faster the goal is reached once it has been found; null without later searches. */
  readonly speedup: number | null;
  /** Finds per episode (the mean return, with reward 1). */
  readonly meanFinds: number;
}

export function summarizeFinds(episodes: readonly FindTimes[], window: number): FindSummary {
  if (episodes.length === 0) throw new Error('summarizeFinds: no episodes to summarize');
  const later = episodes.flatMap((e) => e.later);
  const mean = (v: readonly number[]) => v.reduce((a, x) => a + x, 0) / v.length;
  const meanFirst = mean(episodes.map((e) => e.first));
  // No episode found the goal early enough for a later search to have its whole window.
  const meanLater = later.length === 0 ? null : mean(later);
  const speedup = meanLater === null ? null : meanFirst / meanLater;
  return { episodes: episodes.length, window, meanFirst, meanLater, laterSearches: later.length, speedup, meanFinds: mean(episodes.map((e) => e.finds)) };
}

/** "first search 8.1 steps, later 3.2 (2.53×)", or "..., no later search" when none qualified. */
export function describeFinds(summary: FindSummary): string {
  const first = `first search ${summary.meanFirst.toFixed(1)} steps`;
  if (summary.meanLater === null || summary.speedup === null) return `${first}, no later search within a ${summary.window}-step window`;
  return `${first}, later ${summary.meanLater.toFixed(1)} (${summary.speedup.toFixed(2)}×)`;
}
