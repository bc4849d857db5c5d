import { f32, f64, get, i32, select, set, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { horner, scalarLanes, type Lanes } from './lanes.js';

/**
 * f32 exp, log, sin, cos, tanh and sigmoid as function bodies over `Lanes` (one lane or four):
 * range reduction, then a polynomial (Cephes' single-precision coefficients), then the
 * exponent put back by integer arithmetic on the bits. Branch-free: special values (NaN, ±Inf,
 * ±0, overflow, underflow into denormals) are chosen by per-lane selects, so the same body
 * serves f32x4. Measured accuracy is in docs/wasm.md and asserted by the tests.
 */

export interface MathBody<F extends 'f32' | 'v128'> {
  readonly body: readonly Stmt[];
  readonly result: Expr<F>;
}

/** Binds values to fresh locals in order; `let_(expr)` returns the local's getter. */
function binder<F extends 'f32' | 'v128', I extends 'i32' | 'v128'>(L: Lanes<F, I>, fn: LocalAllocator, body: Stmt[]) {
  return {
    f(value: Expr<F>): Expr<F> {
      const local = fn.local(L.float) as Local<F>;
      body.push(set(local, value));
      return get(local);
    },
    i(value: Expr<I>): Expr<I> {
      const local = fn.local(L.int) as Local<I>;
      body.push(set(local, value));
      return get(local);
    },
  };
}

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.693359375; // few significand bits: n·LN2_HI is exact for |n| < 2^15
const LN2_LO = -2.12194440e-4;
const INF = Infinity;

/**
 * e^x = 2^n · e^r with n = round(x·log2 e), r = x − n·ln 2 in [−ln2/2, ln2/2]. x is clamped to
 * [−104, 89] (e^−104 rounds to 0, e^89 overflows), and 2^n is applied as 2^⌊n/2⌋·2^(n−⌊n/2⌋) so
 * both factors stay normal and the one rounding into denormals happens last.
 */
export function expBody<F extends 'f32' | 'v128', I extends 'i32' | 'v128'>(L: Lanes<F, I>, fn: LocalAllocator, x: Expr<F>): MathBody<F> {
  const body: Stmt[] = [];
  const v = binder(L, fn, body);
  const xc = v.f(L.min(L.max(x, L.c(-104)), L.c(89)));
  const n = v.f(L.nearest(L.mul(xc, L.c(LOG2E))));
  const r = v.f(L.sub(L.sub(xc, L.mul(n, L.c(LN2_HI))), L.mul(n, L.c(LN2_LO))));
  const poly = horner(L, r, [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]);
  const p = L.add(L.add(L.mul(poly, L.mul(r, r)), r), L.c(1));
  const ni = v.i(L.toInt(n));
  const n1 = v.i(L.shr_s(ni, 1));
  const pow2 = (k: Expr<I>) => L.fromBits(L.shl(L.iadd(k, L.ci(127)), 23));
  return { body, result: L.mul(L.mul(p, pow2(n1)), pow2(L.isub(ni, n1))) };
}

/**
 * ln x = e·ln 2 + ln m with x = m·2^e, m in [√½, √2): a polynomial in m − 1. Denormal x is
 * scaled by 2^23 first. x < 0 and NaN give NaN, ±0 gives −Inf, +Inf gives +Inf.
 */
export function logBody<F extends 'f32' | 'v128', I extends 'i32' | 'v128'>(L: Lanes<F, I>, fn: LocalAllocator, x: Expr<F>): MathBody<F> {
  const body: Stmt[] = [];
  const v = binder(L, fn, body);
  const xv = v.f(x);
  const tiny = v.i(L.lt(xv, L.c(1.1754943508222875e-38)));
  const bits = v.i(L.bits(L.select(tiny, L.mul(xv, L.c(8388608)), xv)));
  const e0 = L.isub(L.shr_u(bits, 23), L.select(tiny, L.ci(126 + 23), L.ci(126)));
  const m0 = v.f(L.fromBits(L.or(L.and(bits, L.ci(0x007fffff)), L.ci(0x3f000000))));
  const small = v.i(L.lt(m0, L.c(0.707106781186547524)));
  const e = v.f(L.fromInt(L.isub(e0, L.and(small, L.ci(1)))));
  const m = v.f(L.sub(L.select(small, L.add(m0, m0), m0), L.c(1)));
  const z = v.f(L.mul(m, m));
  const poly = horner(L, m, [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1]);
  let y = L.mul(L.mul(poly, m), z);
  y = L.add(y, L.mul(e, L.c(LN2_LO)));
  y = L.sub(y, L.mul(z, L.c(0.5)));
  const r = L.add(L.add(m, y), L.mul(e, L.c(LN2_HI)));
  const positive = L.select(L.eq(xv, L.c(INF)), xv, r);
  const other = L.select(L.eq(xv, L.c(0)), L.c(-INF), L.c(NaN));
  return { body, result: L.select(L.gt(xv, L.c(0)), positive, other) };
}

/**
 * The value at r in [−π/4, π/4] of sin shifted by `quadrant` quarter turns: sin r, cos r,
 * −sin r, −cos r for quadrant & 3 = 0..3 (Cephes' sinf/cosf polynomials).
 */
function quadrantValue<F extends 'f32' | 'v128', I extends 'i32' | 'v128'>(L: Lanes<F, I>, v: ReturnType<typeof binder<F, I>>, r: Expr<F>, quadrant: Expr<I>): { value: Expr<F>; signBit: Expr<I> } {
  const z = v.f(L.mul(r, r));
  const sin = L.add(L.mul(L.mul(horner(L, z, [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1]), z), r), r);
  const cos = L.add(L.sub(L.mul(L.mul(horner(L, z, [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2]), z), z), L.mul(z, L.c(0.5))), L.c(1));
  const odd = L.isub(L.ci(0), L.and(quadrant, L.ci(1))); // all ones where the quadrant is odd
  return { value: L.select(odd, cos, sin), signBit: L.shl(L.and(quadrant, L.ci(2)), 30) };
}

// π/2 in two f64 parts (fdlibm's pio2_1, pio2_1t): k·PIO2_1 is exact for |k| < 2^20.
const PIO2_1 = 1.57079632673412561417;
const PIO2_1T = 6.07710050650619224932e-11;

/**
 * Scalar sin x or cos x with the reduction x − k·π/2 done in f64, accurate to |x| ≈ 1.6e6
 * (k < 2^20); the polynomial stays f32. Beyond, the result is still in [−1, 1] but not accurate.
 */
export function sinCosScalarBody(fn: LocalAllocator, x: Expr<'f32'>, cosine: boolean): MathBody<'f32'> {
  const body: Stmt[] = [];
  const v = binder(scalarLanes, fn, body);
  const xv = v.f(x);
  const wide: Local<'f64'> = fn.local('f64');
  const k: Local<'f64'> = fn.local('f64');
  body.push(set(wide, f64.promote_f32(xv)));
  body.push(set(k, f64.nearest(f64.mul(get(wide), f64.const(2 / Math.PI)))));
  const r = f32.demote_f64(f64.sub(f64.sub(get(wide), f64.mul(get(k), f64.const(PIO2_1))), f64.mul(get(k), f64.const(PIO2_1T))));
  // The quadrant from k mod 4 (k is exact; saturation past 2^31 only matters far out of range).
  const quadrant = i32.add(i32.trunc_sat_f32_s(f32.demote_f64(f64.sub(get(k), f64.mul(f64.floor(f64.mul(get(k), f64.const(0.25))), f64.const(4))))), i32.const(cosine ? 1 : 0));
  const { value, signBit } = quadrantValue(scalarLanes, v, v.f(r), quadrant);
  const result = f32.reinterpret_i32(i32.xor(i32.reinterpret_f32(value), signBit));
  return { body, result: select(f32.const(NaN), result, f32.eq(f32.abs(xv), f32.const(INF))) };
}

/** cos 2πu for u in [0, 1): 4u = k + f exactly, so the only rounding of the angle is f·π/2. */
export function cos2piBody<F extends 'f32' | 'v128', I extends 'i32' | 'v128'>(L: Lanes<F, I>, fn: LocalAllocator, u: Expr<F>): MathBody<F> {
  const body: Stmt[] = [];
  const v = binder(L, fn, body);
  const t = v.f(L.mul(u, L.c(4)));
  const k = v.f(L.nearest(t));
  const r = v.f(L.mul(L.sub(t, k), L.c(Math.PI / 2)));
  const { value, signBit } = quadrantValue(L, v, r, L.iadd(L.toInt(k), L.ci(1)));
  return { body, result: L.fromBits(L.xor(L.bits(value), signBit)) };
}

/**
 * tanh x: x + x³·P(x²) for |x| < 0.625, else 1 − 2/(e^2|x| + 1) with x's sign; |x| is clamped at
 * 10 (tanh 10 rounds to 1 in f32). `exp` is the module's exp.
 */
export function tanhBody<F extends 'f32' | 'v128', I extends 'i32' | 'v128'>(L: Lanes<F, I>, fn: LocalAllocator, x: Expr<F>, exp: (a: Expr<F>) => Expr<F>): MathBody<F> {
  const body: Stmt[] = [];
  const v = binder(L, fn, body);
  const xv = v.f(x);
  const ax = v.f(L.min(L.abs(xv), L.c(10)));
  const z = v.f(L.mul(xv, xv));
  const small = L.add(L.mul(L.mul(horner(L, z, [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1]), z), xv), xv);
  const big = L.sub(L.c(1), L.div(L.c(2), L.add(exp(L.add(ax, ax)), L.c(1))));
  const signed = L.fromBits(L.or(L.bits(big), L.and(L.bits(xv), L.ci(-0x80000000))));
  return { body, result: L.select(L.lt(ax, L.c(0.625)), small, signed) };
}

/** 1/(1 + e^−x) as the CPU reference: with e = e^−|x|, 1/(1 + e) for x ≥ 0 and e/(1 + e) below. */
export function sigmoidBody<F extends 'f32' | 'v128', I extends 'i32' | 'v128'>(L: Lanes<F, I>, fn: LocalAllocator, x: Expr<F>, exp: (a: Expr<F>) => Expr<F>): MathBody<F> {
  const body: Stmt[] = [];
  const v = binder(L, fn, body);
  const xv = v.f(x);
  const e = v.f(exp(L.sub(L.c(0), L.abs(xv))));
  return { body, result: L.div(L.select(L.ge(xv, L.c(0)), L.c(1), e), L.add(L.c(1), e)) };
}

