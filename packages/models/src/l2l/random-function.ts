import { fail } from '@spikeflow/core';
import { checkInt, checkUnit } from '../tasks/options.js';
import type { TaskRng } from '../tasks/task-rng.js';

/**
 * The function family of supervised learning-to-learn (Bellec et al. 2018): every member is a
 * random two-layer network of one input x, `hidden` units and one output,
 *
 *   f(x) = Σ_j v_j · act(w_j · x + b_j) + c,
 *
 * with w_j, b_j ~ U[−hiddenRange, hiddenRange] and v_j, c ~ U[−outputRange, outputRange], all
 * independent. The paper draws every weight and bias from U[−1, 1] and uses sigmoid units; with
 * one input in [−1, 1] such functions are nearly constant (their offset is 30 times their spread
 * within an episode), so the defaults take tanh units and hiddenRange 2, which bends them.
 */
export interface RandomFunctionOptions {
  readonly hidden: number;
  readonly activation: 'tanh' | 'sigmoid';
  readonly hiddenRange: number;
  readonly outputRange: number;
}

export const DEFAULT_RANDOM_FUNCTION: RandomFunctionOptions = { hidden: 10, activation: 'tanh', hiddenRange: 2, outputRange: 1 };

/** One member of the family: its weights, so that a test can write one by hand. */
export interface RandomFunction {
  readonly activation: 'tanh' | 'sigmoid';
  /** Input-to-hidden weights w_j and biases b_j, one per hidden unit. */
  readonly w: readonly number[];
  readonly b: readonly number[];
  /** Hidden-to-output weights v_j and the output bias c. */
  readonly v: readonly number[];
  readonly c: number;
}

const ACTIVATIONS = { tanh: Math.tanh, sigmoid: (u: number) => 1 / (1 + Math.exp(-u)) } as const;

export function checkRandomFunctionOptions(where: string, o: RandomFunctionOptions): RandomFunctionOptions {
  checkInt(`${where}.hidden`, o.hidden, 1, 1024);
  if (!Object.hasOwn(ACTIVATIONS, o.activation)) fail('spec', `${where}.activation`, 'unknown activation', 'tanh or sigmoid', String(o.activation));
  checkUnit(`${where}.hiddenRange`, o.hiddenRange, 0, 1e3);
  checkUnit(`${where}.outputRange`, o.outputRange, 0, 1e3);
  return o;
}

/** Draws one function: for each hidden unit w_j then b_j then v_j, then c, each uniform in its range. */
export function sampleRandomFunction(rng: TaskRng, options: RandomFunctionOptions = DEFAULT_RANDOM_FUNCTION): RandomFunction {
  const { hidden, hiddenRange: a, outputRange: r } = options;
  const uniform = (range: number) => (2 * rng.uniform() - 1) * range;
  const [w, b, v] = [[] as number[], [] as number[], [] as number[]];
  for (let j = 0; j < hidden; j++) {
    w.push(uniform(a));
    b.push(uniform(a));
    v.push(uniform(r));
  }
  return { activation: options.activation, w, b, v, c: uniform(r) };
}

/** f(x) of one member. */
export function evaluateRandomFunction(f: RandomFunction, x: number): number {
  const act = ACTIVATIONS[f.activation];
  let y = f.c;
  for (let j = 0; j < f.w.length; j++) y += f.v[j]! * act(f.w[j]! * x + f.b[j]!);
  return y;
}

/**
 * E[f(x)²] over the family and x ~ U[−1, 1]: the MSE of always answering 0, the best constant
 * (every v_j and c has mean 0, so E f(x) = 0). With v_j, c independent of the hidden units,
 * E f² = r²/3 · (1 + hidden · E[act(w x + b)²]); the last mean is a midpoint rule over (x, w, b).
 */
export function familyVariance(options: RandomFunctionOptions = DEFAULT_RANDOM_FUNCTION, grid = 48): number {
  const { hidden, hiddenRange: a, outputRange: r } = checkRandomFunctionOptions('familyVariance', options);
  const act = ACTIVATIONS[options.activation];
  const mid = (i: number, range: number) => ((2 * (i + 0.5)) / grid - 1) * range;
  let sum = 0;
  for (let i = 0; i < grid; i++) {
    for (let j = 0; j < grid; j++) {
      for (let k = 0; k < grid; k++) sum += act(mid(j, a) * mid(i, 1) + mid(k, a)) ** 2;
    }
  }
  return ((r * r) / 3) * (1 + hidden * (sum / grid ** 3));
}
