import type { GenContext } from './context.js';
import type { OpGen } from './ops-elementwise.js';
import { inexact, value, type Value } from './value.js';

/**
 * Ops on sizes past the compiler's thresholds, which the small graphs never reach: split
 * reductions (>= 16384 reduced elements over few outputs), split-K matmul (K >= 1024, few
 * outputs), the narrow matmul (one side <= 32, the other >= 512) and the tiled matmul over
 * several 64 x 64 tiles, plus elementwise kernels over several workgroups. Sizes are odd on
 * purpose, so ragged last tiles and chunks are exercised.
 */

/** A fresh input, maybe through tanh (an inexact, fused elementwise prologue). */
function operand(g: GenContext, shape: number[], prologue: boolean): Value {
  const x = g.input(shape);
  return prologue ? g.push(inexact(g.own(x).tanh(), 1)) : x;
}

function bigReduction(g: GenContext): Value {
  const op = g.rng.pick(['sum', 'mean', 'max'] as const);
  const outer = g.rng.int(1, 5);
  const range = g.rng.int(16_385, 40_000);
  const split = g.rng.chance(0.3);
  const shape = split ? [outer, 7, Math.ceil(range / 7)] : [outer, range];
  const x = operand(g, shape, g.rng.chance(0.5) && !(op === 'max' && g.state.gradSafe));
  const axes = split ? [1, 2] : [1];
  const n = axes.reduce((p, a) => p * shape[a]!, 1);
  const t = g.own(x)[op](axes, g.rng.chance(0.5));
  if (op === 'max') return g.push(value(t, x.bound, x.exact, x.bits));
  return g.push(value(t, op === 'sum' ? x.bound * n : x.bound, x.exact && op === 'sum', x.bits));
}

function bigMatmul(g: GenContext): Value {
  const kind = g.rng.int(0, 2);
  const [m, k, n] =
    kind === 0
      ? [g.rng.int(1, 12), g.rng.int(1024, 2500), g.rng.int(1, 12)] // split-K
      : kind === 1
        ? g.rng.chance(0.5)
          ? [g.rng.int(1, 32), g.rng.int(1, 64), g.rng.int(512, 900)] // narrow, small M
          : [g.rng.int(512, 900), g.rng.int(1, 64), g.rng.int(1, 32)] // narrow, small N
        : [g.rng.int(65, 150), g.rng.int(3, 70), g.rng.int(65, 150)]; // tiled, several tiles
  const batch = g.rng.chance(0.2) ? [2] : [];
  const transposeA = g.rng.chance(0.3);
  const transposeB = g.rng.chance(0.3);
  const a = operand(g, [...batch, ...(transposeA ? [k, m] : [m, k])], g.rng.chance(0.3));
  const b = g.input(transposeB ? [n, k] : [k, n]);
  const y = g.own(a).matmul(b.t, { transposeA, transposeB });
  return g.push(value(y, a.bound * b.bound * k, a.exact && b.exact, a.bits + b.bits));
}

function bigElementwise(g: GenContext): Value {
  const cols = g.rng.int(300, 1500);
  const x = g.input([g.rng.int(2, 9), cols]);
  const row = g.input([cols]);
  return g.push(inexact(g.own(x).mul(row.t).sigmoid().add(g.own(row).sin()), 2));
}

export const largeOp: OpGen = (g) => {
  const kind = g.rng.int(0, 2);
  if (kind === 0) return bigReduction(g);
  if (kind === 1) return bigMatmul(g);
  return bigElementwise(g);
};
