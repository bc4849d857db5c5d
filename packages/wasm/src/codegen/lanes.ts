import { f32, f32x4, i32, i32x4, select, v128, type Expr } from '../module-builder/index.js';

/**
 * The f32 arithmetic of one lane or of four (f32x4), behind one interface, so each math function
 * is written once and instantiated scalar and SIMD. Integer values (exponent bits, quadrants) and
 * masks share the type `I`: i32 (masks 0/1) for one lane, v128 (masks all ones/zeros) for four.
 */
export interface Lanes<F extends 'f32' | 'v128', I extends 'i32' | 'v128'> {
  readonly float: F;
  readonly int: I;
  c(value: number): Expr<F>;
  ci(value: number): Expr<I>;
  add(a: Expr<F>, b: Expr<F>): Expr<F>;
  sub(a: Expr<F>, b: Expr<F>): Expr<F>;
  mul(a: Expr<F>, b: Expr<F>): Expr<F>;
  div(a: Expr<F>, b: Expr<F>): Expr<F>;
  min(a: Expr<F>, b: Expr<F>): Expr<F>;
  max(a: Expr<F>, b: Expr<F>): Expr<F>;
  abs(a: Expr<F>): Expr<F>;
  nearest(a: Expr<F>): Expr<F>;
  lt(a: Expr<F>, b: Expr<F>): Expr<I>;
  gt(a: Expr<F>, b: Expr<F>): Expr<I>;
  ge(a: Expr<F>, b: Expr<F>): Expr<I>;
  eq(a: Expr<F>, b: Expr<F>): Expr<I>;
  /** `mask ? a : b` per lane. */
  select<T extends F | I>(mask: Expr<I>, a: Expr<T>, b: Expr<T>): Expr<T>;
  bits(a: Expr<F>): Expr<I>;
  fromBits(a: Expr<I>): Expr<F>;
  /** Toward zero, saturating. */
  toInt(a: Expr<F>): Expr<I>;
  fromInt(a: Expr<I>): Expr<F>;
  iadd(a: Expr<I>, b: Expr<I>): Expr<I>;
  isub(a: Expr<I>, b: Expr<I>): Expr<I>;
  and(a: Expr<I>, b: Expr<I>): Expr<I>;
  or(a: Expr<I>, b: Expr<I>): Expr<I>;
  xor(a: Expr<I>, b: Expr<I>): Expr<I>;
  shl(a: Expr<I>, n: number): Expr<I>;
  shr_s(a: Expr<I>, n: number): Expr<I>;
  shr_u(a: Expr<I>, n: number): Expr<I>;
}

export type ScalarLanes = Lanes<'f32', 'i32'>;
export type VectorLanes = Lanes<'v128', 'v128'>;

export const scalarLanes: ScalarLanes = {
  float: 'f32',
  int: 'i32',
  c: f32.const,
  ci: i32.const,
  add: f32.add,
  sub: f32.sub,
  mul: f32.mul,
  div: f32.div,
  min: f32.min,
  max: f32.max,
  abs: f32.abs,
  nearest: f32.nearest,
  lt: f32.lt,
  gt: f32.gt,
  ge: f32.ge,
  eq: f32.eq,
  select: (mask, a, b) => select(a as Expr<'f32'>, b as Expr<'f32'>, mask) as Expr<never>,
  bits: i32.reinterpret_f32,
  fromBits: f32.reinterpret_i32,
  toInt: i32.trunc_sat_f32_s,
  fromInt: f32.convert_i32_s,
  iadd: i32.add,
  isub: i32.sub,
  and: i32.and,
  or: i32.or,
  xor: i32.xor,
  shl: (a, n) => i32.shl(a, i32.const(n)),
  shr_s: (a, n) => i32.shr_s(a, i32.const(n)),
  shr_u: (a, n) => i32.shr_u(a, i32.const(n)),
};

const splatF = (value: number) => f32x4.splat(f32.const(value));
const splatI = (value: number) => i32x4.splat(i32.const(value));

export const vectorLanes: VectorLanes = {
  float: 'v128',
  int: 'v128',
  c: splatF,
  ci: splatI,
  add: f32x4.add,
  sub: f32x4.sub,
  mul: f32x4.mul,
  div: f32x4.div,
  min: f32x4.min,
  max: f32x4.max,
  abs: f32x4.abs,
  nearest: f32x4.nearest,
  lt: f32x4.lt,
  gt: f32x4.gt,
  ge: f32x4.ge,
  eq: f32x4.eq,
  select: (mask, a, b) => v128.bitselect(a as Expr<'v128'>, b as Expr<'v128'>, mask) as Expr<never>,
  bits: (a) => a,
  fromBits: (a) => a,
  toInt: i32x4.trunc_sat_f32x4_s,
  fromInt: f32x4.convert_i32x4_s,
  iadd: i32x4.add,
  isub: i32x4.sub,
  and: v128.and,
  or: v128.or,
  xor: v128.xor,
  shl: (a, n) => i32x4.shl(a, i32.const(n)),
  shr_s: (a, n) => i32x4.shr_s(a, i32.const(n)),
  shr_u: (a, n) => i32x4.shr_u(a, i32.const(n)),
};

/** Horner's scheme: c[0]·x^(n-1) + … + c[n-1]. */
export function horner<F extends 'f32' | 'v128', I extends 'i32' | 'v128'>(L: Lanes<F, I>, x: Expr<F>, coefficients: readonly number[]): Expr<F> {
  let acc = L.c(coefficients[0]!);
  for (const c of coefficients.slice(1)) acc = L.add(L.mul(acc, x), L.c(c));
  return acc;
}
