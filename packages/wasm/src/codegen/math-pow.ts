import { f32, f64, get, i32, i64, select, set, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';

/**
 * pow(x, y) for f32 with JavaScript's `Math.pow` special cases, computed as e^(y·ln|x|) in f64:
 * ln by atanh series (m in [√½, √2]), e^t by Taylor series after t = n·ln 2 + r, so the f64
 * result is good to ~1e-14 relative and its one rounding to f32 is almost always the correct one.
 */

const LN2_HI = 6.93147180369123816490e-1; // fdlibm's split of ln 2: n·LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10;

function bind(fn: LocalAllocator, body: Stmt[], value: Expr<'f64'>): Expr<'f64'> {
  const local: Local<'f64'> = fn.local('f64');
  body.push(set(local, value));
  return get(local);
}

/** ln a for a > 0 finite (f64); 0 gives −Inf, +Inf and NaN pass through. */
function ln64(fn: LocalAllocator, body: Stmt[], a: Expr<'f64'>): Expr<'f64'> {
  const ax = bind(fn, body, a);
  const bits: Local<'i64'> = fn.local('i64');
  body.push(set(bits, i64.reinterpret_f64(ax)));
  const e0 = i32.sub(i32.wrap_i64(i64.shr_u(get(bits), i64.const(52n))), i32.const(1023));
  const m0 = bind(fn, body, f64.reinterpret_i64(i64.or(i64.and(get(bits), i64.const(0xfffffffffffffn)), i64.const(0x3ff0000000000000n))));
  const big = f64.gt(m0, f64.const(Math.SQRT2));
  const m = bind(fn, body, select(f64.mul(m0, f64.const(0.5)), m0, big));
  const e = bind(fn, body, f64.convert_i32_s(i32.add(e0, big)));
  const s = bind(fn, body, f64.div(f64.sub(m, f64.const(1)), f64.add(m, f64.const(1))));
  const s2 = bind(fn, body, f64.mul(s, s));
  // 2·atanh s = 2s·Σ s^2k/(2k+1); s² ≤ 0.0295, so ten terms leave < 1e-16.
  let series = f64.const(1 / 21);
  for (let k = 9; k >= 0; k--) series = f64.add(f64.mul(series, s2), f64.const(1 / (2 * k + 1)));
  const lnm = f64.mul(f64.mul(s, f64.const(2)), series);
  const value = f64.add(f64.add(f64.mul(e, f64.const(LN2_LO)), lnm), f64.mul(e, f64.const(LN2_HI)));
  const finitePositive = i32.and(f64.gt(ax, f64.const(0)), f64.lt(ax, f64.const(Infinity)));
  return select(value, select(f64.const(-Infinity), ax, f64.eq(ax, f64.const(0))), finitePositive);
}

/** e^t (f64), t clamped to [−110, 95]: beyond, the f32 result is 0 or Inf anyway. NaN passes. */
function exp64(fn: LocalAllocator, body: Stmt[], t: Expr<'f64'>): Expr<'f64'> {
  const tc = bind(fn, body, f64.min(f64.max(t, f64.const(-110)), f64.const(95)));
  const n = bind(fn, body, f64.nearest(f64.mul(tc, f64.const(Math.LOG2E))));
  const r = bind(fn, body, f64.sub(f64.sub(tc, f64.mul(n, f64.const(LN2_HI))), f64.mul(n, f64.const(LN2_LO))));
  // |r| ≤ 0.347: Taylor to r^13 leaves < 1e-17.
  let series = f64.const(1 / factorial(13));
  for (let k = 12; k >= 0; k--) series = f64.add(f64.mul(series, r), f64.const(1 / factorial(k)));
  // n is NaN only when t is; the series is then NaN and the scale irrelevant.
  const ni = i64.extend_i32_s(i32.trunc_sat_f32_s(f32.demote_f64(n)));
  const scale = f64.reinterpret_i64(i64.shl(i64.add(ni, i64.const(1023n)), i64.const(52n)));
  return f64.mul(series, scale);
}

function factorial(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return f;
}

/** The body of pow(x, y) over f32 locals `x`, `y`. */
export function powBody(fn: LocalAllocator, x: Local<'f32'>, y: Local<'f32'>): { body: readonly Stmt[]; result: Expr<'f32'> } {
  const body: Stmt[] = [];
  const Y = bind(fn, body, f64.promote_f32(get(y)));
  const lnx = ln64(fn, body, f64.abs(f64.promote_f32(get(x))));
  const magnitude = f32.demote_f64(exp64(fn, body, f64.mul(Y, lnx)));
  const isInteger = f64.eq(f64.floor(Y), Y); // true for ±Inf, false for NaN
  const isOdd = i32.and(isInteger, i32.eqz(f64.eq(f64.mul(f64.floor(f64.mul(Y, f64.const(0.5))), f64.const(2)), Y)));
  const negative = i32.lt_s(i32.reinterpret_f32(get(x)), i32.const(0)); // sign bit: −0 counts
  const signed = select(f32.neg(magnitude), magnitude, i32.and(negative, isOdd));
  const finiteNegative = i32.and(f32.lt(get(x), f32.const(0)), f32.gt(get(x), f32.const(-Infinity)));
  const noRealRoot = i32.and(finiteNegative, i32.eqz(isInteger));
  const nonzeroY = select(f32.const(NaN), signed, i32.and(noRealRoot, f64.eq(Y, Y)));
  return { body, result: select(f32.const(1), nonzeroY, f32.eq(get(y), f32.const(0))) };
}
