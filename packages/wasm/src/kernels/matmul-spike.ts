// The zero-skipping product S·B for a left operand of spikes (mostly zeros, the rest 1): only the
// k where S[i, k] is non-zero touch B. Two stages:
//
//   packB  matmul-forms' packB (either layout of B), with panels of up to 32 columns;
//   spike  items = output batch matrices × rows × panels: per item, one row of S is walked, and
//          each non-zero S[i, k] adds S[i, k]·B[k, panel] to up to 8 vector accumulators. With S
//          stored [M, K], four spikes are tested per vector load and skipped together when all
//          are zero.
//
// Sums run in the dense kernel's order: per K block of kBlock from zero, s = fl(s + fl(a·b)) in
// increasing k, then added to the previous blocks' total. For a 0/1 S a skipped term would have
// added fl(0·b) = ±0 to an s that started at +0 (which can then never be -0), so the result is
// bit for bit the dense multiply of matmul-forms.ts with the same kBlock; the one difference is
// that a zero of S facing an infinite or NaN B adds nothing instead of NaN. S may hold any value:
// a non-zero is multiplied, not assumed to be 1.
import { f32, f32x4, get, i32, if_, select, set, v128, type Expr, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { v128_any_true } from '../module-builder/ops-kernels.js';
import { forRange, increment } from './loops.js';
import { DEFAULT_MATMUL_TILING, panelWidth } from './matmul.js';
import { packedBMatrixBytes, packedBOffset, planMatmul, type MatmulPlan, type MatmulSpec } from './matmul-forms.js';

const c = i32.const;
/** Widest panel: 8 accumulators, 8 partial sums and one B vector stay within 16 registers plus a few. */
const MAX_VECTORS = 8;

/** The plan of a spike product: matmul-forms' plan with one-row tiles and panels of up to 32 columns. */
export function planSpikeMatmul(spec: MatmulSpec): MatmulPlan {
  const kBlock = (spec.tiling ?? DEFAULT_MATMUL_TILING).kBlock;
  const plan = planMatmul({ ...spec, tiling: { rows: 1, vectors: 1, kBlock, mBlock: 1 } });
  return planMatmul({ ...spec, tiling: { rows: 1, vectors: Math.min(MAX_VECTORS, Math.max(1, Math.ceil(plan.n / 4))), kBlock, mBlock: 1 } });
}

/** Work items of the spike stage (packB's are matmul-forms' `packBItems(plan)`). */
export const spikeItems = (plan: MatmulPlan): number => plan.batch.reduce((x, d) => x * d, 1) * plan.m * plan.panels;

/**
 * The spike stage over items [lo, hi): C (at byte address `out`) from S (at byte address `s`,
 * [..., M, K], or [..., K, M] with transposeA) and B packed by packB at `packedB`.
 */
export function spikeMatmulStatements(fn: LocalAllocator, plan: MatmulPlan, s: Expr<'i32'>, packedB: Expr<'i32'>, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const { m, k, n, tiling } = plan;
  const nr = panelWidth(tiling);
  const vectors = tiling.vectors;
  const perMatrix = m * plan.panels;
  const [rowBytes, stepBytes] = plan.transposeA ? [4, 4 * m] : [4 * k, 4];
  const item = fn.local('i32');
  const q = fn.local('i32');
  const row = fn.local('i32');
  const panel = fn.local('i32');
  const spikeAt = fn.local('i32');
  const bAt = fn.local('i32');
  const k0 = fn.local('i32');
  const p = fn.local('i32');
  const pEnd = fn.local('i32');
  const spike = fn.local('f32');
  const splat = fn.local('v128');
  const cols = fn.local('i32');
  const cAt = fn.local('i32');
  const total = Array.from({ length: vectors }, () => fn.local('v128'));
  const partial = Array.from({ length: vectors }, () => fn.local('v128'));
  const zero = v128.const_i32x4([0, 0, 0, 0]);
  const matrixIndex = (strides: readonly number[]): Expr<'i32'> => {
    // Σ_d (q's index along batch axis d)·strides[d], with constant divisors.
    let sum: Expr<'i32'> = c(0);
    let divisor = 1;
    for (let d = plan.batch.length - 1; d >= 0; d--) {
      const size = plan.batch[d]!;
      if (strides[d] !== 0) sum = i32.add(sum, i32.mul(i32.rem_u(i32.div_u(get(q), c(divisor)), c(size)), c(strides[d]!)));
      divisor *= size;
    }
    return sum;
  };
  // S[i, k + ahead]·B[k + ahead, panel] added to the partial sums when the spike is non-zero.
  const addRow = (ahead: number): Stmt[] => [
    set(spike, f32.load(get(spikeAt), { offset: 4 * ahead })),
    if_(f32.ne(get(spike), f32.const(0)), [
      set(splat, f32x4.splat(get(spike))),
      ...partial.map((x, v) => set(x, f32x4.add(get(x), f32x4.mul(get(splat), v128.load(get(bAt), { offset: (ahead * nr + 4 * v) * 4 }))))),
    ]),
  ];
  const storeLane = (v: number, lane: number): Stmt =>
    if_(i32.lt_s(c(4 * v + lane), get(cols)), [f32.store(get(cAt), f32x4.extract_lane(get(total[v]!), lane), { offset: 4 * (4 * v + lane) })]);
  return [
    ...forRange(item, lo, hi, 1, [
      set(q, i32.div_u(get(item), c(perMatrix))),
      set(row, i32.div_u(i32.rem_u(get(item), c(perMatrix)), c(plan.panels))),
      set(panel, i32.rem_u(get(item), c(plan.panels))),
      set(spikeAt, i32.add(s, i32.add(i32.mul(matrixIndex(plan.aBatchStrides), c(m * k * 4)), i32.mul(get(row), c(rowBytes))))),
      set(bAt, i32.add(packedB, i32.add(i32.mul(matrixIndex(plan.bBatchStrides), c(packedBMatrixBytes(plan))), packedBOffset(plan, get(panel), c(0), c(0))))),
      ...total.map((t) => set(t, zero)),
      ...forRange(k0, c(0), c(k), tiling.kBlock, [
        ...partial.map((x) => set(x, zero)),
        set(pEnd, i32.add(get(k0), c(tiling.kBlock))),
        set(pEnd, select(c(k), get(pEnd), i32.gt_s(get(pEnd), c(k)))),
        // Stored contiguously, four spikes are tested at once and skipped together when all are zero.
        ...(plan.transposeA
          ? []
          : forRange(p, get(k0), i32.sub(get(pEnd), c(3)), 4, [
              if_(v128_any_true(v128.load(get(spikeAt), { align: 4 })), [0, 1, 2, 3].flatMap((lane) => addRow(lane))),
              increment(spikeAt, c(16)),
              increment(bAt, c(4 * nr * 4)),
            ])),
        ...forRange(p, plan.transposeA ? get(k0) : get(p), get(pEnd), 1, [...addRow(0), increment(spikeAt, c(stepBytes)), increment(bAt, c(nr * 4))]),
        if_(i32.eqz(get(k0)), total.map((t, v) => set(t, get(partial[v]!))), total.map((t, v) => set(t, f32x4.add(get(t), get(partial[v]!))))),
      ]),
      set(cols, i32.sub(c(n), i32.mul(get(panel), c(nr)))),
      set(cAt, i32.add(out, i32.shl(i32.add(i32.mul(i32.add(i32.mul(get(q), c(m)), get(row)), c(n)), i32.mul(get(panel), c(nr))), c(2)))),
      if_(
        i32.ge_s(get(cols), c(nr)),
        total.map((t, v) => v128.store(get(cAt), get(t), { offset: 16 * v, align: 4 })),
        total.flatMap((_, v) => [0, 1, 2, 3].map((lane) => storeLane(v, lane))),
      ),
    ]),
  ];
}
