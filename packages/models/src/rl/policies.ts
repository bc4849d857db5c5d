import { fail } from '@spikeflow/core';
import type { TaskRng } from '../tasks/task-rng.js';

/** The index of the largest value; ties go to the lowest index. */
export function greedyAction(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * ε-greedy: with probability ε a uniformly random action, else the greedy one (greedyAction of `q`).
 * It draws one uniform number, plus one more for the random action, so a seeded generator
 * replays the same choices.
 */
export function epsilonGreedy(q: ArrayLike<number>, epsilon: number, rng: TaskRng): number {
  if (!(epsilon >= 0 && epsilon <= 1)) fail('attr', 'epsilonGreedy.epsilon', 'must lie in [0, 1]', '[0, 1]', String(epsilon));
  if (q.length === 0) fail('shape', 'epsilonGreedy.q', 'needs at least one action value');
  return rng.uniform() < epsilon ? rng.int(q.length) : greedyAction(q);
}

/** ε decayed linearly from `start` to `end` over `steps` steps, then held at `end`. */
export function linearEpsilon(step: number, start: number, end: number, steps: number): number {
  if (steps <= 0 || step >= steps) return end;
  return start + (end - start) * (step / steps);
}

/** softmax(values / temperature), computed after subtracting the maximum so it cannot overflow. */
export function softmaxProbabilities(values: ArrayLike<number>, temperature = 1): number[] {
  if (!(temperature > 0)) fail('attr', 'softmax.temperature', 'must be positive', '> 0', String(temperature));
  if (values.length === 0) fail('shape', 'softmax.values', 'needs at least one action value');
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  const e = Array.from(values, (v) => Math.exp((v - max) / temperature));
  const total = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / total);
}

/** Boltzmann exploration: an action drawn with probability softmax(values / temperature), by one uniform draw. */
export function softmaxPolicy(values: ArrayLike<number>, temperature: number, rng: TaskRng): number {
  const p = softmaxProbabilities(values, temperature);
  const u = rng.uniform();
  let cumulative = 0;
  for (let i = 0; i < p.length; i++) {
    cumulative += p[i]!;
    if (u < cumulative) return i;
  }
  return p.length - 1; // u within rounding of 1
}
