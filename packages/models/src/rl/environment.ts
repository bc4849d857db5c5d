/**
 * The interface every environment of `rl/` implements, after Gymnasium's: `reset(seed)` starts an
 * episode and `step(action)` advances it. An environment draws every random number from a
 * generator seeded by `reset`, so the same seed and the same actions give the same episode to the bit.
 */

/** A box of real vectors: `low[i] <= x[i] <= high[i]` (infinite bounds allowed). */
export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly [number];
  readonly low: readonly number[];
  readonly high: readonly number[];
}

/** The integers 0 .. n − 1. */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
}

export interface EnvStep {
  readonly observation: readonly number[];
  readonly reward: number;
  /** The episode ended in a terminal state (no bootstrapping from it). */
  readonly done: boolean;
  /** The episode was cut off by a time limit (its last state is not terminal: bootstrap from it). */
  readonly truncated: boolean;
}

export interface Environment {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  /** Starts an episode drawn from `seed` (an integer in [0, 2^53)); returns the first observation. */
  reset(seed: number): readonly number[];
  /** Applies `action`; an episode that has ended must be `reset` first. */
  step(action: number): EnvStep;
}
