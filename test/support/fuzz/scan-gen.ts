import type { Shape, Tensor } from '@spikeflow/core';
import { GenContext, MAX_ELEMENTS } from './context.js';
import { broadcastsTo, inexact, value, type Value } from './value.js';

/** Exact carries are multiples of 2^-CARRY_BITS in [-CARRY_BOUND, CARRY_BOUND]. */
const CARRY_BITS = 6;
const CARRY_BOUND = 4;

interface CarryPlan {
  readonly init: Value;
  readonly exact: boolean;
  /** The bound every step keeps: |carry| <= bound. */
  readonly bound: number;
}

/** floor(x * 2^B) / 2^B clamped to [-M, M]: exact for an exact x, so an exact carry stays exact step after step. */
function quantize(t: Tensor): Tensor {
  return t.mul(2 ** CARRY_BITS).floor().mul(2 ** -CARRY_BITS).maximum(-CARRY_BOUND).minimum(CARRY_BOUND);
}

function planCarry(g: GenContext): CarryPlan {
  const from = g.rng.chance(0.5) ? g.pick((v) => v.t.dtype === 'f32' && v.t.rank <= 3) : undefined;
  const init = from ?? g.input(g.randomShape(3));
  if (g.rng.chance(0.5) && init.exact) {
    return { init: g.push(value(quantize(g.own(init)), CARRY_BOUND, true, CARRY_BITS)), exact: true, bound: CARRY_BOUND };
  }
  return { init, exact: false, bound: Math.max(1, init.bound) };
}

function planSequences(g: GenContext, first: Shape): { sequences: Value[]; length: number } {
  const fromPool = g.rng.chance(0.4) ? g.pick((v) => v.t.rank >= 1 && v.t.shape[0]! <= 12) : undefined;
  const length = fromPool?.t.shape[0] ?? g.rng.int(1, 6);
  const sequences = fromPool ? [fromPool] : [];
  for (let i = g.rng.int(0, 2) - sequences.length; i > 0; i--) {
    const step = g.compatibleShape(first);
    if (length * step.reduce((p, d) => p * d, 1) <= MAX_ELEMENTS) sequences.push(g.input([length, ...step]));
  }
  return { sequences, length };
}

/** The next value of a carry from what the body computed: quantized (exact carries) or a tanh-bounded blend. */
function nextCarry(inner: GenContext, carry: Tensor, plan: CarryPlan): Tensor {
  const shape = carry.shape;
  const fits = (v: Value) => v.t.dtype === 'f32' && broadcastsTo(v.t.shape, shape) && (!plan.exact || v.exact);
  const candidate = inner.pick(fits)!;
  if (plan.exact) return quantize(inner.own(candidate).broadcastTo(shape));
  return carry.mul(0.5).add(inner.own(candidate).tanh().mul(0.5));
}

/**
 * A `scan` with a random body: 1-2 carries (exact ones quantized each step, inexact ones blended
 * through tanh so they stay bounded), 0-2 sequences, 0-1 constants, outer values captured, and
 * 0-2 per-step outputs. `grow` adds random ops to the body.
 */
export function scanOp(g: GenContext, grow: (inner: GenContext, steps: number) => void): Value | undefined {
  if (g.state.scanDepth >= 2 || (g.state.scanDepth === 1 && g.rng.chance(0.7))) return undefined;
  const plans = Array.from({ length: g.rng.int(1, 2) }, () => planCarry(g));
  const { sequences, length } = planSequences(g, plans[0]!.init.t.shape);
  const consts = g.rng.chance(0.5) ? [g.pick(() => true)!] : [];
  let stepOutputs: Value[] = [];
  g.state.scanDepth++;
  const result = g.b.scan({
    carries: plans.map((p) => g.own(p.init)),
    sequences: sequences.map((s) => g.own(s)),
    consts: consts.map((c) => g.own(c)),
    length,
    reverse: g.rng.chance(0.3),
    body: (bb, carryIn, slices, constIn) => {
      const pool: Value[] = [
        ...g.pool.filter(() => g.rng.chance(0.3)),
        ...constIn.map((t, i) => ({ ...consts[i]!, t })),
        ...slices.map((t, i) => ({ ...sequences[i]!, t })),
        ...carryIn.map((t, i) => (plans[i]!.exact ? value(t, CARRY_BOUND, true, CARRY_BITS) : inexact(t, plans[i]!.bound))),
      ];
      const inner = new GenContext(g.rng, bb, g.state, pool);
      grow(inner, g.rng.int(1, 5));
      stepOutputs = Array.from({ length: g.rng.int(0, 2) }, () => inner.pick((v) => length * v.t.shape.reduce((p, d) => p * d, 1) <= MAX_ELEMENTS)).filter((v) => v !== undefined);
      return { carries: carryIn.map((c, i) => nextCarry(inner, c, plans[i]!)), outputs: stepOutputs.map((v) => inner.own(v)) };
    },
  });
  g.state.scanDepth--;
  result.carries.forEach((t, i) => g.push(plans[i]!.exact ? value(t, CARRY_BOUND, true, CARRY_BITS) : inexact(t, plans[i]!.bound)));
  result.outputs.forEach((t, i) => g.push({ ...stepOutputs[i]!, t }));
  return g.pool[g.pool.length - 1];
}
