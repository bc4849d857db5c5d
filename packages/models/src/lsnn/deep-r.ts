import { fail } from '@spikeflow/core';

/**
 * DEEP R (Bellec et al. 2018, "Deep rewiring"): each weight is w = s ⊙ relu(θ) with a sign s fixed
 * at initialization. θ > 0 marks an active connection, θ <= 0 a dormant one. After each optimizer
 * step, active θ take an l1 shrink and Langevin noise; connections that end at θ <= 0 go dormant,
 * and as many dormant ones, chosen at random, are revived at θ = 1e-12, so the number of active
 * connections never changes.
 *
 * This part runs on the host, between training steps: choosing k distinct random entries among
 * the dormant ones is a data-dependent selection (k and the candidate set change every step) that
 * no graph primitive expresses; a graph only has elementwise random draws of a fixed shape.
 */

/** The value a revived connection starts at: active, but with no effect on the output yet. */
export const REVIVED_THETA = 1e-12;

/** The random source of rewiring, e.g. the tasks' seeded `TaskRng`: uniform numbers in [0, 1). */
export interface UniformSource {
  uniform(): number;
}

/** A standard normal by Box-Muller; 1 - u keeps the log finite. */
function gaussian(rng: UniformSource): number {
  return Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
}

/** Which entries may ever connect (1) and which never may (0), e.g. the recurrent diagonal. */
export type Eligibility = ArrayLike<number>;

export interface DeepRInitOptions {
  /** Fraction of the eligible entries that start (and stay) active, in [0, 1]. */
  readonly connectivity: number;
  /** Active θ start at |N(0, scale²)|. */
  readonly scale: number;
  readonly rng: UniformSource;
  readonly eligible?: Eligibility;
}

export interface DeepRInit {
  readonly theta: Float32Array;
  /** The fixed sign of each entry, ±1 (dormant entries too: a revived one takes its sign). */
  readonly sign: Float32Array;
  /** The number of active connections, round(connectivity × eligible count), held by every rewire. */
  readonly target: number;
}

export interface RewireOptions {
  /** The optimizer's learning rate η. */
  readonly eta: number;
  /** The l1 coefficient: each active θ shrinks by η·l1 per step. */
  readonly l1: number;
  /** The temperature T of the Langevin noise √(2ηT)·N(0, 1). */
  readonly temperature: number;
  readonly rng: UniformSource;
  /** The number of active connections to hold (`DeepRInit.target`). */
  readonly target: number;
  readonly eligible?: Eligibility;
}

export interface RewireResult {
  readonly theta: Float32Array;
  /** Active connections after the call: always `target`. */
  readonly active: number;
  /** Active connections that the shrink and noise of this call made dormant. */
  readonly died: number;
  /** Dormant connections revived at θ = 1e-12. */
  readonly revived: number;
  /**
   * Surplus active connections made dormant (θ = 0), smallest θ first. Only an optimizer with
   * momentum can push a dormant θ back above 0 on its own; pruning keeps the count exact then.
   */
  readonly pruned: number;
}

function expectNonNegative(where: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) fail('attr', where, 'expected a finite non-negative number', '>= 0', String(value));
}

/** The indices that may connect; rejects a mask of the wrong length. */
function eligibleIndices(size: number, eligible: Eligibility | undefined, where: string): number[] {
  if (eligible === undefined) return Array.from({ length: size }, (_, i) => i);
  if (eligible.length !== size) fail('shape', `${where}.eligible`, 'the eligibility mask does not match θ', `${size} entries`, `${eligible.length}`);
  const out: number[] = [];
  for (let i = 0; i < size; i++) if (eligible[i] !== 0) out.push(i);
  return out;
}

/** `k` distinct entries of `pool`, uniformly at random (a partial Fisher-Yates shuffle; reorders pool). */
function sample(pool: number[], k: number, rng: UniformSource): number[] {
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.uniform() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k);
}

/** θ and signs with exactly round(connectivity × eligible) active entries, chosen at random. */
export function initDeepR(size: number, options: DeepRInitOptions): DeepRInit {
  const { connectivity, scale, rng } = options;
  if (!(connectivity >= 0 && connectivity <= 1)) fail('attr', 'deepR.connectivity', 'connectivity is a fraction', 'a number in [0, 1]', String(connectivity));
  expectNonNegative('deepR.scale', scale);
  const pool = eligibleIndices(size, options.eligible, 'deepR');
  const target = Math.round(connectivity * pool.length);
  const theta = new Float32Array(size);
  const sign = new Float32Array(size);
  for (let i = 0; i < size; i++) sign[i] = rng.uniform() < 0.5 ? -1 : 1;
  // max(): an f32 draw that rounds to 0 would be dormant and break the exact count.
  for (const i of sample(pool, target, rng)) theta[i] = Math.max(Math.abs(gaussian(rng)) * scale, REVIVED_THETA);
  return { theta, sign, target };
}

/** The number of active connections (θ > 0). */
export function countActive(theta: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < theta.length; i++) if (theta[i]! > 0) n++;
  return n;
}

/** One DEEP R step on θ, after an optimizer step; pure: the input is not modified. */
export function rewire(theta: ArrayLike<number>, options: RewireOptions): RewireResult {
  const { eta, l1, temperature, rng, target } = options;
  expectNonNegative('rewire.eta', eta);
  expectNonNegative('rewire.l1', l1);
  expectNonNegative('rewire.temperature', temperature);
  const out = Float32Array.from(theta);
  const pool = eligibleIndices(out.length, options.eligible, 'rewire');
  if (!Number.isInteger(target) || target < 0 || target > pool.length) {
    fail('attr', 'rewire.target', 'the target count must fit the eligible entries', `an integer in [0, ${pool.length}]`, String(target));
  }
  if (options.eligible !== undefined) {
    for (let i = 0; i < out.length; i++) {
      if (options.eligible[i] === 0 && out[i]! > 0) fail('attr', `rewire.theta[${i}]`, 'an entry that may never connect is active', 'θ <= 0', String(out[i]));
    }
  }

  const shrink = eta * l1;
  const noise = Math.sqrt(2 * eta * temperature);
  let died = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i]! <= 0) continue;
    out[i] = out[i]! - shrink + noise * gaussian(rng);
    // Tested after the f32 store: a tiny positive step can round to 0.
    if (out[i]! <= 0) died++;
  }

  const active: number[] = [];
  for (let i = 0; i < out.length; i++) if (out[i]! > 0) active.push(i);
  let pruned = 0;
  if (active.length > target) {
    active.sort((p, q) => out[p]! - out[q]! || p - q);
    for (const i of active.slice(0, active.length - target)) out[i] = 0;
    pruned = active.length - target;
  }
  let revived = 0;
  if (active.length < target) {
    const dormant = pool.filter((i) => out[i]! <= 0);
    revived = target - active.length;
    for (const i of sample(dormant, revived, rng)) out[i] = REVIVED_THETA;
  }
  return { theta: out, active: target, died, revived, pruned };
}
