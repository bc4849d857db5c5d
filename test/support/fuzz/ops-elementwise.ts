import { broadcastShapes, COMPARE_OPS, SURROGATE_NAMES, sizeOf, type Tensor } from '@spikeflow/core';
import { MAX_ELEMENTS, type GenContext } from './context.js';
import { inexact, value, type Value } from './value.js';

/**
 * Elementwise op generators. Each takes operands from the pool, appends its result and returns it
 * (or undefined when the pool has nothing it can use). Ops with a restricted domain get an input
 * that is safe by construction (log(x² + 1), a positive pow base, a divisor >= 0.5), so results
 * are finite and well conditioned.
 */
export type OpGen = (g: GenContext) => Value | undefined;

/** An operand of at most `limit` in magnitude: wider values are scaled by a power of two first. */
function within(g: GenContext, v: Value, limit: number): Tensor {
  if (v.bound <= limit) return g.own(v);
  return g.own(v).mul(2 ** -Math.ceil(Math.log2(v.bound / limit)));
}

/** x² + c: the safe positive argument of log, sqrt, rsqrt, reciprocal and div. */
function squarePlus(g: GenContext, v: Value, c: number): Tensor {
  const x = within(g, v, 8);
  return x.mul(x).add(c);
}

const smooth: readonly [string, (g: GenContext, v: Value) => Value][] = [
  ['neg', (g, v) => value(g.own(v).neg(), v.bound, v.exact, v.bits)],
  ['exp', (g, v) => inexact(within(g, v, 3).exp(), Math.exp(3))],
  ['log', (g, v) => inexact(squarePlus(g, v, 1).log(), Math.log(65))],
  ['sqrt', (g, v) => inexact(squarePlus(g, v, 0.25).sqrt(), 8.1)],
  ['rsqrt', (g, v) => inexact(squarePlus(g, v, 0.5).rsqrt(), Math.SQRT2)],
  ['reciprocal', (g, v) => inexact(squarePlus(g, v, 0.5).reciprocal(), 2)],
  // WGSL's sin and cos are accurate on [-pi, pi]; arguments stay inside.
  ['sin', (g, v) => inexact(within(g, v, 3).sin(), 1)],
  ['cos', (g, v) => inexact(within(g, v, 3).cos(), 1)],
  ['tanh', (g, v) => inexact(g.own(v).tanh(), 1)],
  ['sigmoid', (g, v) => inexact(g.own(v).sigmoid(), 1)],
];

/** Continuous unary math; abs (a kink at 0) takes an exact operand in gradient graphs. */
export const unaryOp: OpGen = (g) => {
  if (g.rng.chance(0.1)) {
    const v = g.pickFloat(g.state.gradSafe);
    return v && g.push(value(g.own(v).abs(), v.bound, v.exact, v.bits));
  }
  const v = g.pickFloat();
  if (v === undefined) return undefined;
  const [, f] = g.rng.pick(smooth);
  return g.push(f(g, v));
};

/** Steps (sign, floor, ceil, round, spike) of exact values: both backends see the same argument. */
export const stepOp: OpGen = (g) => {
  const v = g.pickFloat(true);
  if (v === undefined) return undefined;
  const x = g.own(v);
  const whole = Math.ceil(v.bound);
  switch (g.rng.int(0, 4)) {
    case 0:
      return g.push(value(x.sign(), 1, true, 0));
    case 1:
      return g.push(value(x.floor(), whole, true, 0));
    case 2:
      return g.push(value(x.ceil(), whole, true, 0));
    case 3:
      return g.push(value(x.round(), whole, true, 0));
    default: {
      const kind = g.rng.pick(SURROGATE_NAMES);
      return g.push(value(x.sub(g.rng.int(-4, 4) / 4).spike({ kind, alpha: g.rng.pick([0.5, 1, 2, 4]) }), 1, true, 0));
    }
  }
};

/** Binary arithmetic with broadcasting. */
export const binaryOp: OpGen = (g) => {
  const op = g.rng.pick(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const);
  const kinked = op === 'maximum' || op === 'minimum';
  const a = g.pickFloat(kinked && g.state.gradSafe);
  if (a === undefined) return undefined;
  const b = g.partnerOf(a, kinked && g.state.gradSafe);
  const both = a.exact && b.exact;
  const x = g.own(a);
  switch (op) {
    case 'add':
    case 'sub':
      return g.push(value(x[op](b.t), a.bound + b.bound, both, Math.max(a.bits, b.bits)));
    case 'maximum':
    case 'minimum':
      return g.push(value(x[op](b.t), Math.max(a.bound, b.bound), both, Math.max(a.bits, b.bits)));
    case 'mul':
      return g.push(value(x.mul(b.t), a.bound * b.bound, both, a.bits + b.bits));
    case 'div':
      return g.push(inexact(x.div(squarePlus(g, b, 0.5)), a.bound * 2));
    case 'pow':
      // Base in [0.5, 1.5], exponent in [-2, 2]: the result lies in [0.25, 4].
      return g.push(inexact(x.sigmoid().add(0.5).pow(g.own(b).tanh().mul(2)), 4));
  }
};

/** A bool from a comparison of two exact values. */
export const compareOp: OpGen = (g) => {
  const a = g.pickFloat(true) ?? g.pick((v) => v.exact && v.t.dtype !== 'bool');
  if (a === undefined) return undefined;
  const b = a.t.dtype === 'f32' ? g.partnerOf(a, true) : value(g.b.constant(g.rng.int(-3, 3), [], a.t.dtype), 3, true, 0);
  return g.push(value(g.own(a)[g.rng.pick(COMPARE_OPS)](b.t), 1, true, 0));
};

function boolOperand(g: GenContext, shapeLike?: Value): Value | undefined {
  const fits = (v: Value) => shapeLike === undefined || broadcastShapes(v.t.shape, shapeLike.t.shape) !== undefined;
  return g.pick((v) => v.t.dtype === 'bool' && fits(v)) ?? (g.rng.chance(0.5) ? compareOp(g) : undefined);
}

/** logicalAnd / logicalOr / logicalNot / equality of bools. */
export const logicalOp: OpGen = (g) => {
  const a = boolOperand(g);
  if (a === undefined) return undefined;
  if (g.rng.chance(0.25)) return g.push(value(g.own(a).logicalNot(), 1, true, 0));
  const b = boolOperand(g, a);
  if (b === undefined || sizeOf(broadcastShapes(a.t.shape, b.t.shape)!) > MAX_ELEMENTS) return undefined;
  const op = g.rng.pick(['logicalAnd', 'logicalOr', 'equal', 'notEqual'] as const);
  return g.push(value(g.own(a)[op](b.t), 1, true, 0));
};

/** where(cond, a, b) with an exact bool condition. */
export const whereOp: OpGen = (g) => {
  const a = g.pickFloat();
  if (a === undefined) return undefined;
  const b = g.partnerOf(a, false);
  const ab = broadcastShapes(a.t.shape, b.t.shape)!;
  const cond = g.pick((v) => v.t.dtype === 'bool' && broadcastShapes(v.t.shape, ab) !== undefined);
  if (cond === undefined) return compareOp(g);
  const out = broadcastShapes(cond.t.shape, ab)!;
  if (sizeOf(out) > MAX_ELEMENTS) return undefined;
  return g.push(value(g.b.where(g.own(cond), a.t, b.t), Math.max(a.bound, b.bound), a.exact && b.exact, Math.max(a.bits, b.bits)));
};

/** Casts between f32, i32, u32 and bool, and integer arithmetic (wrapping; division by zero gives 0). */
export const integerOp: OpGen = (g) => {
  const roll = g.rng.int(0, 3);
  if (roll === 0) {
    const v = g.pick((x) => x.t.dtype !== 'f32');
    if (v === undefined) return undefined;
    // u32 above 2^24 rounds on the way to f32 (either way, WGSL allows): then not exact.
    return g.push(value(g.own(v).cast('f32'), v.bound, v.bound < 2 ** 24, 0));
  }
  if (roll === 1) {
    const v = g.pickFloat(true);
    if (v === undefined) return undefined;
    const dtype = g.rng.pick(['i32', 'i32', 'u32', 'bool'] as const);
    // f32 -> integer truncates toward zero and saturates (negatives to 0 for u32); -> bool is x != 0.
    return g.push(value(g.own(v).cast(dtype), dtype === 'bool' ? 1 : Math.ceil(v.bound), true, 0));
  }
  const a = g.pick((x) => x.t.dtype === 'i32' || x.t.dtype === 'u32');
  if (a === undefined) return g.input(g.randomShape(2), 'i32');
  const b = g.pick((x) => x !== a && x.t.dtype === a.t.dtype && broadcastShapes(x.t.shape, a.t.shape) !== undefined) ?? value(g.b.constant(g.rng.int(0, 5), [], a.t.dtype), 5, true, 0);
  if (sizeOf(broadcastShapes(a.t.shape, b.t.shape)!) > MAX_ELEMENTS) return undefined;
  const op = g.rng.pick(['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const);
  const bound = op === 'mul' ? a.bound * b.bound : op === 'add' || op === 'sub' ? a.bound + b.bound : Math.max(a.bound, b.bound);
  if (bound >= 2 ** 24) return undefined;
  // u32 subtraction can wrap to near 2^32.
  const wraps = a.t.dtype === 'u32' && op === 'sub';
  return g.push(value(g.own(a)[op](b.t), wraps ? 2 ** 32 : bound, true, 0));
};
