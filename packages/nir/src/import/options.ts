import { fail } from '@spikeflow/core';

/**
 * How an imported NIR graph is discretised and what its neurons do at a spike. NIR states each
 * neuron as an ODE with a threshold and a reset; the file fixes neither the time step nor (in
 * NIR 0.2 files) whether a spike resets to v_reset or subtracts the threshold, so the caller says.
 */

/**
 * `to-reset-value`: v ← v_reset after a spike (NIR's definition). `subtract-threshold`: v ← v − v_threshold
 * (snnTorch's "subtract"). `subtract-threshold-next-step`: v_threshold is subtracted in the step after
 * the spike, after that step's leak (the LSNN of Bellec et al.: v_t = α·v_{t−1} + (1 − α)·I_t − θ·z_{t−1});
 * v then holds the membrane before the subtraction.
 */
export type ResetMode = 'to-reset-value' | 'subtract-threshold' | 'subtract-threshold-next-step';

/** `above`: a spike where v > v_threshold (NIR). `at-or-above`: where v ≥ v_threshold (spikeflow's neurons, SpikingJelly). */
export type FiringRule = 'above' | 'at-or-above';

/**
 * `forward-euler`: x ← x + dt·f(x, input) once per step, the scheme of NIR's own reference
 * simulations (see docs/nir.md for each neuron's update).
 */
export type Discretisation = 'forward-euler';

/**
 * How a leaky neuron applies its time constant in f32: `rate` multiplies by k = dt/τ (NIR's
 * reference code); `time-constant` divides by τ/dt, as spikeflow's LIF divides by τ; `decay`
 * computes (1 − k)·v + k·(R·x + v_leak), the form α·v + (1 − α)·x of spikeflow's leaky
 * integrator and the LSNN's neurons, with 1 − k and k each rounded to f32 once. The three are the
 * same update and differ only in rounding; the exporters ask for the one their neuron computes,
 * so that a re-imported model computes the same bits.
 */
export type LeakArithmetic = 'rate' | 'time-constant' | 'decay';

export interface ImportOptions {
  /** The simulation time step, in the units of the file's time constants (seconds for the NIR paper's files). */
  readonly dt: number;
  /** Time steps T of the input `[T, B, ...shape]`. */
  readonly steps: number;
  /** Batch size B of the input. */
  readonly batch: number;
  /** One rule for every spiking neuron, or one per neuron node name (others: `to-reset-value`). */
  readonly reset?: ResetMode | ReadonlyMap<string, ResetMode>;
  readonly firing?: FiringRule;
  /** One rule for every leaky neuron (LI, LIF), or one per neuron node name (others: `rate`). */
  readonly leak?: LeakArithmetic | ReadonlyMap<string, LeakArithmetic>;
  readonly discretisation?: Discretisation;
  /** Also return each neuron's membrane potential after every step, as the output `<node>/v`. */
  readonly potentials?: boolean;
}

export interface ResolvedOptions {
  readonly dt: number;
  readonly steps: number;
  readonly batch: number;
  resetOf(node: string): ResetMode;
  leakOf(node: string): LeakArithmetic;
  readonly firing: FiringRule;
  readonly discretisation: Discretisation;
  readonly potentials: boolean;
}

const RESETS: readonly string[] = ['to-reset-value', 'subtract-threshold', 'subtract-threshold-next-step'];
const FIRINGS: readonly string[] = ['above', 'at-or-above'];
const LEAKS: readonly string[] = ['rate', 'time-constant', 'decay'];

/** A rule for every node, or one per node name from a Map (others get `fallback`). */
function perNode<T extends string>(given: T | ReadonlyMap<string, T> | undefined, fallback: T, known: readonly string[], option: string): (node: string) => T {
  const rule = given ?? fallback;
  const values = typeof rule === 'string' ? [rule] : [...rule.values()];
  for (const value of values) if (!known.includes(value)) fail('attr', `options.${option}`, `unknown ${option} '${value}'`, known.join(', '), String(value));
  return (node) => (typeof rule === 'string' ? rule : (rule.get(node) ?? fallback));
}

/** Checks the options, naming the one at fault. */
export function resolveOptions(options: ImportOptions): ResolvedOptions {
  const { dt, steps, batch } = options;
  if (typeof dt !== 'number' || !Number.isFinite(dt) || dt <= 0) fail('attr', 'options.dt', 'dt must be a positive finite number', '> 0', String(dt));
  for (const [name, value] of [['steps', steps], ['batch', batch]] as const) {
    if (!Number.isInteger(value) || value < 1) fail('attr', `options.${name}`, `${name} must be a positive integer`, 'an integer >= 1', String(value));
  }
  const resetOf = perNode<ResetMode>(options.reset, 'to-reset-value', RESETS, 'reset');
  const leakOf = perNode<LeakArithmetic>(options.leak, 'rate', LEAKS, 'leak');
  const firing = options.firing ?? 'above';
  if (!FIRINGS.includes(firing)) fail('attr', 'options.firing', `unknown firing rule '${firing}'`, FIRINGS.join(', '), String(firing));
  const discretisation = options.discretisation ?? 'forward-euler';
  if (discretisation !== 'forward-euler') fail('attr', 'options.discretisation', `unknown discretisation '${String(discretisation)}'`, 'forward-euler', String(discretisation));
  return { dt, steps, batch, resetOf, leakOf, firing, discretisation, potentials: options.potentials === true };
}
