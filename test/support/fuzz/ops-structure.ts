import { broadcastShapes, sizeOf, type Shape } from '@spikeflow/core';
import { MAX_ELEMENTS, type GenContext } from './context.js';
import type { OpGen } from './ops-elementwise.js';
import { inexact, value, type Value } from './value.js';

/** Reductions, matmul, shape ops and random draws (see ops-elementwise.ts for the conventions). */

const withRank = (min: number) => (v: Value) => v.t.rank >= min;

/** sum / mean / max over a random non-empty set of axes; max (ties) takes exact operands in gradient graphs. */
export const reduceOp: OpGen = (g) => {
  const op = g.rng.pick(['sum', 'mean', 'max'] as const);
  const v = g.pick((x) => x.t.dtype === 'f32' && x.t.rank >= 1 && (op !== 'max' || !g.state.gradSafe || x.exact));
  if (v === undefined) return undefined;
  const axes = v.t.shape.map((_, i) => i).filter(() => g.rng.chance(0.5));
  if (axes.length === 0) axes.push(g.rng.int(0, v.t.rank - 1));
  // Negative axes as often as not: the builder normalizes them.
  const given = axes.map((a) => (g.rng.chance(0.5) ? a - v.t.rank : a));
  const n = axes.reduce((p, a) => p * v.t.shape[a]!, 1);
  const keepDims = g.rng.chance(0.5);
  const x = g.own(v);
  if (op === 'max') return g.push(value(x.max(given, keepDims), v.bound, v.exact, v.bits));
  if (op === 'sum') return g.push(value(x.sum(given, keepDims), v.bound * n, v.exact, v.bits));
  // A mean over a power-of-two count is an exact scaling of the sum.
  const power = Number.isInteger(Math.log2(n));
  return g.push(value(x.mean(given, keepDims), v.bound, v.exact && power, v.bits + Math.log2(n)));
};

/** [..., M, K] @ [..., K, N] with broadcast batch axes, either operand maybe read transposed. */
export const matmulOp: OpGen = (g) => {
  let a = g.pick((v) => v.t.dtype === 'f32' && v.t.rank >= 1);
  if (a === undefined) return undefined;
  if (a.t.rank === 1) a = g.push({ ...a, t: g.own(a).reshape(g.rng.chance(0.5) ? [1, a.t.shape[0]!] : [a.t.shape[0]!, 1]) });
  const transposeA = g.rng.chance(0.3);
  const shape = a.t.shape;
  const k = transposeA ? shape[shape.length - 2]! : shape[shape.length - 1]!;
  const transposeB = g.rng.chance(0.3);
  const batch = shape.slice(0, -2);
  const fits = (v: Value) => {
    const s = v.t.shape;
    if (v.t.dtype !== 'f32' || s.length < 2 || s[transposeB ? s.length - 1 : s.length - 2] !== k) return false;
    const out = broadcastShapes(batch, s.slice(0, -2));
    return out !== undefined && sizeOf(out) * shape[shape.length - 2]! * s[s.length - 1]! <= MAX_ELEMENTS * 4;
  };
  const b =
    (g.rng.chance(0.5) ? g.pick(fits) : undefined) ??
    g.input([...g.compatibleShape(batch), ...(transposeB ? [g.rng.pick([1, 3, 8, 9]), k] : [k, g.rng.pick([1, 3, 8, 9])])]);
  const y = g.own(a).matmul(b.t, { transposeA, transposeB });
  if (sizeOf(y.shape) > MAX_ELEMENTS * 4) return undefined;
  return g.push(value(y, a.bound * b.bound * k, a.exact && b.exact, a.bits + b.bits));
};

/** A random shape of `size` elements: its prime factors grouped at random, with some 1s. */
function reshapeTarget(g: GenContext, size: number): number[] {
  const factors: number[] = [];
  for (let n = size, p = 2; n > 1; ) {
    if (n % p === 0) {
      factors.push(p);
      n /= p;
    } else p++;
  }
  const dims: number[] = [];
  for (const f of factors) {
    if (dims.length > 0 && g.rng.chance(0.5)) dims[dims.length - 1]! *= f;
    else dims.push(f);
  }
  if (g.rng.chance(0.3)) dims.splice(g.rng.int(0, dims.length), 0, 1);
  return dims.length > 5 ? [size] : dims;
}

function sliceOf(g: GenContext, v: Value): Value {
  const starts: number[] = [];
  const ends: number[] = [];
  const steps: number[] = [];
  for (const d of v.t.shape) {
    const s = g.rng.int(0, d - 1);
    const e = g.rng.int(s + 1, d);
    // Python-style negative indices half the time; the builder resolves them.
    starts.push(g.rng.chance(0.5) ? s - d : s);
    ends.push(g.rng.chance(0.3) && e < d ? e - d : e);
    steps.push(g.rng.pick([1, 1, 2, 3]));
  }
  return { ...v, t: g.own(v).slice(starts, ends, steps) };
}

function concatOf(g: GenContext, v: Value): Value | undefined {
  const axis = g.rng.int(0, v.t.rank - 1);
  const same = (s: Shape) => s.length === v.t.rank && s.every((d, i) => i === axis || d === v.t.shape[i]);
  const others = g.pool.filter((w) => w.t.dtype === v.t.dtype && same(w.t.shape));
  const parts = [v, ...Array.from({ length: g.rng.int(1, 2) }, () => g.rng.pick(others))];
  const size = parts.reduce((s, p) => s + sizeOf(p.t.shape), 0);
  if (size > MAX_ELEMENTS) return undefined;
  const t = g.b.concat(parts.map((p) => g.own(p)), g.rng.chance(0.5) ? axis - v.t.rank : axis);
  return { t, exact: parts.every((p) => p.exact), bits: Math.max(...parts.map((p) => p.bits)), bound: Math.max(...parts.map((p) => p.bound)) };
}

/** reshape, transpose, slice, concat, pad, broadcast, gather, oneHot. */
export const shapeOp: OpGen = (g) => {
  const v = g.pick(withRank(0));
  if (v === undefined) return undefined;
  const x = g.own(v);
  const shape = v.t.shape;
  const kind = g.rng.int(0, 7);
  if (kind === 0) return g.push({ ...v, t: x.reshape(reshapeTarget(g, sizeOf(shape))) });
  if (kind === 1 && v.t.rank >= 2) return g.push({ ...v, t: x.transpose(g.rng.chance(0.2) ? undefined : g.rng.permutation(v.t.rank)) });
  if (kind === 2 && v.t.rank >= 1) return g.push(sliceOf(g, v));
  if (kind === 3 && v.t.rank >= 1) {
    const c = concatOf(g, v);
    return c && g.push(c);
  }
  if (kind === 4 && v.t.dtype === 'f32') {
    const pads = shape.map(() => [g.rng.int(0, 2), g.rng.int(0, 2)] as const);
    const fill = g.rng.int(-4, 4) / 4;
    if (sizeOf(shape.map((d, i) => d + pads[i]![0] + pads[i]![1])) > MAX_ELEMENTS) return undefined;
    return g.push(value(x.pad(pads, fill), Math.max(v.bound, 1), v.exact, Math.max(v.bits, 2)));
  }
  if (kind === 5) {
    const target = [...(g.rng.chance(0.5) ? [g.rng.pick([2, 3])] : []), ...shape.map((d) => (d === 1 && g.rng.chance(0.5) ? g.rng.pick([2, 4, 5]) : d))];
    if (sizeOf(target) > MAX_ELEMENTS) return undefined;
    return g.push({ ...v, t: x.broadcastTo(target) });
  }
  if (kind === 6 && v.t.rank >= 1) {
    const axis = g.rng.int(0, v.t.rank - 1);
    const indexShape = g.randomShape(2).slice(0, 2);
    if (sizeOf(shape) / shape[axis]! * sizeOf(indexShape) > MAX_ELEMENTS) return undefined;
    const indices = g.input(indexShape, 'i32', [0, shape[axis]! - 1]);
    return g.push({ ...v, t: x.gather(g.own(indices), axis) });
  }
  if (kind === 7) {
    const depth = g.rng.int(1, 6);
    // Out-of-range indices (-1, depth) give all-zero rows.
    const indices = g.pick((w) => w.t.dtype === 'i32' && sizeOf(w.t.shape) * depth <= MAX_ELEMENTS) ?? g.input(g.randomShape(2), 'i32', [-1, depth]);
    if (sizeOf(indices.t.shape) * depth > MAX_ELEMENTS) return undefined;
    return g.push(value(g.own(indices).oneHot(depth), 1, true, 0));
  }
  return undefined;
};

/** Philox draws: uniform and bernoulli are bit-exact on every backend, normal agrees to rounding. */
export const randomOp: OpGen = (g) => {
  const counter = g.rng.chance(0.5) ? g.own(g.input([], g.rng.chance(0.8) ? 'u32' : 'i32', [0, 1000])) : g.rng.int(0, 1000);
  // Seeds up to 2^40: the high key word is used too.
  const seed = g.rng.chance(0.5) ? g.rng.int(0, 2 ** 31) : g.rng.int(0, 2 ** 31) * 512 + g.rng.int(0, 511);
  const kind = g.rng.int(0, 2);
  if (kind === 0) return g.push(value(g.b.uniform(g.randomShape(3), seed, counter), 1, true, 24));
  if (kind === 1) return g.push(inexact(g.b.normal(g.randomShape(3), seed, counter), 6));
  // p = v / 2^k + 1/2, clamped to [0, 1]: exact whenever v is.
  const v = g.pickFloat(true) ?? g.input(g.randomShape(2), 'f32', [0, 1]);
  const k = Math.ceil(Math.log2(Math.max(1, v.bound))) + 1;
  const p = g.own(v).mul(2 ** -k).add(0.5).maximum(0).minimum(1);
  const shape = [...(g.rng.chance(0.5) ? [g.rng.pick([2, 3])] : []), ...v.t.shape];
  if (sizeOf(shape) > MAX_ELEMENTS) return undefined;
  return g.push(value(g.b.bernoulli(p, shape, seed, counter), 1, true, 0));
};
