// The zero-skipping product S·B for a left operand of spikes (mostly zeros, the rest 1): only the
// k where S[i, k] is non-zero touch B, and each such k adds S[i, k]·B[k, panel] (a contiguous
// piece of B's row k) to vector accumulators.
//
//   spike  items = output batch matrices × row groups × panels of up to 32 columns. B is read
//          either as stored ([..., K, N], `spikeMatmulUnpackedStatements`: no packing at all) or
//          packed by matmul-forms' packB (`spikeMatmulStatements`, the only way for transposeB).
//          With S stored [M, K] a row group is one row: eight spikes along k are tested at once
//          (two vector loads, `v128.or`, `v128.any_true`) and skipped together when all are zero,
//          then each four of them. With S stored [K, M]
//          (transposeA, Sᵀ·dH in a backward pass) a row group is four rows: S[k, i..i+4] is one
//          vector load, skipped when all four are zero, and B's row piece is loaded once for the four.
//
// Sums run in the dense kernel's order: per K block of kBlock from zero, s = fl(s + fl(a·b)) in
// increasing k; the first block's s is stored, later ones added to C. For a 0/1 S a skipped term
// would have added fl(0·b) = ±0 to an s that started at +0 (which can then never be -0), so the
// result is bit for bit the dense multiply of matmul-forms.ts with the same kBlock; the one
// difference is that a zero of S facing an infinite or NaN B adds nothing instead of NaN. S may
// hold any value: a non-zero is multiplied, not assumed to be 1.
import { f32, f32x4, get, i32, if_, select, set, v128, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { v128_any_true } from '../module-builder/ops-kernels.js';
import { forRange, increment } from './loops.js';
import { DEFAULT_MATMUL_TILING, panelWidth } from './matmul.js';
import { matrixIndex, packedBMatrixBytes, packedBOffset, planMatmul, type MatmulPlan, type MatmulSpec } from './matmul-forms.js';

const c = i32.const;
/** Widest panel: 8 accumulators and one B vector within 16 registers (for one row). */
const MAX_VECTORS = 8;
/** Rows per group when S is read transposed. */
const QUAD = 4;

/**
 * The plan of a spike product: matmul-forms' plan with one-row tiles and panels of up to 32
 * columns. With transposeA the four rows of a group then hold 32 accumulators, more than the
 * registers: the engine keeps some on the stack, which costs only on spikes, while narrower panels
 * would repeat the walk over S (measured: 8 columns ran Sᵀ·B at 2 % spikes 1.2× slower, at 30 %
 * 1.5× slower).
 */
export function planSpikeMatmul(spec: MatmulSpec): MatmulPlan {
  const kBlock = (spec.tiling ?? DEFAULT_MATMUL_TILING).kBlock;
  const plan = planMatmul({ ...spec, tiling: { rows: 1, vectors: 1, kBlock, mBlock: 1 } });
  return planMatmul({ ...spec, tiling: { rows: 1, vectors: Math.min(MAX_VECTORS, Math.max(1, Math.ceil(plan.n / 4))), kBlock, mBlock: 1 } });
}

/** Row groups of one output matrix: rows, or quads of rows with transposeA. */
const rowGroups = (plan: MatmulPlan): number => (plan.transposeA ? Math.ceil(plan.m / QUAD) : plan.m);

/** Work items of the spike stage (with packed B, packB's are matmul-forms' `packBItems(plan)` before it). */
export const spikeItems = (plan: MatmulPlan): number => plan.batch.reduce((x, d) => x * d, 1) * rowGroups(plan) * plan.panels;

/** Whether B must be packed first: only when it is stored transposed ([..., N, K]). */
export const spikeNeedsPackedB = (plan: MatmulPlan): boolean => plan.transposeB;

/** Where panel `panel` of B's matrix `matrix` starts, and the bytes from one k to the next. */
interface BSource {
  readonly start: (matrix: Expr<'i32'>, panel: Expr<'i32'>) => Expr<'i32'>;
  readonly rowBytes: number;
}

/**
 * The spike stage over items [lo, hi): C (at byte address `out`) from S (at byte address `s`,
 * [..., M, K], or [..., K, M] with transposeA) and B packed by packB at `packedB`.
 */
export function spikeMatmulStatements(fn: LocalAllocator, plan: MatmulPlan, s: Expr<'i32'>, packedB: Expr<'i32'>, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const source: BSource = { start: (matrix, panel) => i32.add(packedB, i32.add(i32.mul(matrix, c(packedBMatrixBytes(plan))), packedBOffset(plan, panel, c(0), c(0)))), rowBytes: panelWidth(plan.tiling) * 4 };
  return spikeStatements(fn, plan, s, source, out, lo, hi);
}

/** The spike stage reading B as stored ([..., K, N]; not for transposeB): nothing to pack. */
export function spikeMatmulUnpackedStatements(fn: LocalAllocator, plan: MatmulPlan, s: Expr<'i32'>, b: Expr<'i32'>, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  if (plan.transposeB) throw new RangeError('spike matmul: B stored transposed has no contiguous rows; pack it (spikeMatmulStatements)');
  const source: BSource = { start: (matrix, panel) => i32.add(b, i32.add(i32.mul(matrix, c(plan.k * plan.n * 4)), i32.mul(panel, c(panelWidth(plan.tiling) * 4)))), rowBytes: plan.n * 4 };
  return spikeStatements(fn, plan, s, source, out, lo, hi);
}

function spikeStatements(fn: LocalAllocator, plan: MatmulPlan, s: Expr<'i32'>, source: BSource, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const { m, k, n, tiling } = plan;
  const nr = panelWidth(tiling);
  const groups = rowGroups(plan);
  const groupRows = plan.transposeA ? QUAD : 1;
  const tailWidth = n - (plan.panels - 1) * nr;
  const lastRows = m - (groups - 1) * groupRows;
  const item = fn.local('i32');
  const q = fn.local('i32');
  const group = fn.local('i32');
  const panel = fn.local('i32');
  const spikeAt = fn.local('i32');
  const bAt = fn.local('i32');
  const cAt = fn.local('i32');
  const k0 = fn.local('i32');
  const p = fn.local('i32');
  const pEnd = fn.local('i32');
  const spike = fn.local('f32');
  const splat = fn.local('v128');
  const test = fn.local('v128');
  const bv = Array.from({ length: tiling.vectors }, () => fn.local('v128'));
  const bs = [0, 1, 2].map(() => fn.local('f32'));
  const vacc = Array.from({ length: groupRows * tiling.vectors }, () => fn.local('v128'));
  const sacc = Array.from({ length: groupRows * 3 }, () => fn.local('f32'));
  const zero = v128.const_i32x4([0, 0, 0, 0]);

  /** The item's K loop over `rows` rows of the group, `vectors` vector then `scalars` scalar columns. */
  const panelCode = (rows: number, vectors: number, scalars: number): Stmt[] => {
    const vAcc = (r: number, v: number) => vacc[r * vectors + v]!;
    const sAcc = (r: number, x: number) => sacc[r * 3 + x]!;
    // spike·B[k + ahead, columns] into row r's accumulators, when the spike is non-zero.
    const addRow = (r: number, ahead: number, value: Expr<'f32'>, bLoaded: boolean): Stmt[] => [
      set(spike, value),
      if_(f32.ne(get(spike), f32.const(0)), [
        ...(vectors > 0 ? [set(splat, f32x4.splat(get(spike)))] : []),
        ...Array.from({ length: vectors }, (_, v) => set(vAcc(r, v), f32x4.add(get(vAcc(r, v)), f32x4.mul(get(splat), bLoaded ? get(bv[v]!) : v128.load(get(bAt), { offset: ahead * source.rowBytes + 16 * v, align: 4 }))))),
        ...Array.from({ length: scalars }, (_, x) => set(sAcc(r, x), f32.add(get(sAcc(r, x)), f32.mul(get(spike), bLoaded ? get(bs[x]!) : f32.load(get(bAt), { offset: ahead * source.rowBytes + 4 * (4 * vectors + x) }))))),
      ]),
    ];
    const walk = plan.transposeA
      ? // S[k, i..i+4]: one vector (or the valid lanes of the last group), B's row loaded once for all four rows.
        forRange(p, get(k0), get(pEnd), 1, [
          set(test, rows === QUAD ? v128.load(get(spikeAt), { align: 4 }) : Array.from({ length: rows }, (_, r) => r).reduce((v, r) => f32x4.replace_lane(v, r, f32.load(get(spikeAt), { offset: 4 * r })), zero as Expr<'v128'>)),
          if_(v128_any_true(get(test)), [
            ...Array.from({ length: vectors }, (_, v) => set(bv[v]!, v128.load(get(bAt), { offset: 16 * v, align: 4 }))),
            ...Array.from({ length: scalars }, (_, x) => set(bs[x]!, f32.load(get(bAt), { offset: 4 * (4 * vectors + x) }))),
            ...Array.from({ length: rows }, (_, r) => addRow(r, 0, f32x4.extract_lane(get(test), r), true)).flat(),
          ]),
          increment(spikeAt, c(4 * m)),
          increment(bAt, c(source.rowBytes)),
        ])
      : // S[i, k..k+8]: eight spikes tested at once (two vector loads), then each four, then the block's last k one at a time.
        [
          ...forRange(p, get(k0), i32.sub(get(pEnd), c(7)), 8, [
            if_(v128_any_true(v128.or(v128.load(get(spikeAt), { align: 4 }), v128.load(get(spikeAt), { offset: 16, align: 4 }))), [
              if_(v128_any_true(v128.load(get(spikeAt), { align: 4 })), [0, 1, 2, 3].flatMap((lane) => addRow(0, lane, f32.load(get(spikeAt), { offset: 4 * lane }), false))),
              if_(v128_any_true(v128.load(get(spikeAt), { offset: 16, align: 4 })), [4, 5, 6, 7].flatMap((lane) => addRow(0, lane, f32.load(get(spikeAt), { offset: 4 * lane }), false))),
            ]),
            increment(spikeAt, c(32)),
            increment(bAt, c(8 * source.rowBytes)),
          ]),
          ...forRange(p, get(p), i32.sub(get(pEnd), c(3)), 4, [
            if_(v128_any_true(v128.load(get(spikeAt), { align: 4 })), [0, 1, 2, 3].flatMap((lane) => addRow(0, lane, f32.load(get(spikeAt), { offset: 4 * lane }), false))),
            increment(spikeAt, c(16)),
            increment(bAt, c(4 * source.rowBytes)),
          ]),
          ...forRange(p, get(p), get(pEnd), 1, [...addRow(0, 0, f32.load(get(spikeAt)), false), increment(spikeAt, c(4)), increment(bAt, c(source.rowBytes))]),
        ];
    const cv = (r: number, v: number) => ({ offset: (r * n + 4 * v) * 4, align: 4 });
    const cs = (r: number, x: number) => ({ offset: (r * n + 4 * vectors + x) * 4 });
    const fold = (first: boolean) =>
      Array.from({ length: rows }, (_, r) => [
        ...Array.from({ length: vectors }, (_, v) => v128.store(get(cAt), first ? get(vAcc(r, v)) : f32x4.add(v128.load(get(cAt), cv(r, v)), get(vAcc(r, v))), cv(r, v))),
        ...Array.from({ length: scalars }, (_, x) => f32.store(get(cAt), first ? get(sAcc(r, x)) : f32.add(f32.load(get(cAt), cs(r, x)), get(sAcc(r, x))), cs(r, x))),
      ]).flat();
    return forRange(k0, c(0), c(k), tiling.kBlock, [
      ...Array.from({ length: rows }, (_, r) => [...Array.from({ length: vectors }, (_, v) => set(vAcc(r, v), zero)), ...Array.from({ length: scalars }, (_, x) => set(sAcc(r, x), f32.const(0)))]).flat(),
      set(pEnd, i32.add(get(k0), c(tiling.kBlock))),
      set(pEnd, select(c(k), get(pEnd), i32.gt_s(get(pEnd), c(k)))),
      ...walk,
      if_(i32.eqz(get(k0)), fold(true), fold(false)),
    ]);
  };
  const zeros = (rows: number, width: number): Stmt[] => Array.from({ length: rows * width }, (_, e) => f32.store(get(cAt), f32.const(0), { offset: (Math.floor(e / width) * n + (e % width)) * 4 }));
  const forRows = (rows: number): Stmt[] =>
    k === 0
      ? tailWidth === nr
        ? zeros(rows, nr)
        : [if_(i32.lt_s(get(panel), c(plan.panels - 1)), zeros(rows, nr), zeros(rows, tailWidth))]
      : tailWidth === nr
        ? panelCode(rows, tiling.vectors, 0)
        : [if_(i32.lt_s(get(panel), c(plan.panels - 1)), panelCode(rows, tiling.vectors, 0), panelCode(rows, Math.floor(tailWidth / 4), tailWidth % 4))];
  // Bytes from one row group's first spike to the next's.
  const groupStep = plan.transposeA ? 4 * QUAD : 4 * k;
  return forRange(item, lo, hi, 1, [
    set(q, i32.div_u(get(item), c(groups * plan.panels))),
    set(group, i32.div_u(i32.rem_u(get(item), c(groups * plan.panels)), c(plan.panels))),
    set(panel, i32.rem_u(get(item), c(plan.panels))),
    set(spikeAt, i32.add(s, i32.add(i32.mul(matrixIndex(plan, q, plan.aBatchStrides), c(m * k * 4)), i32.mul(get(group), c(groupStep))))),
    set(bAt, source.start(matrixIndex(plan, q, plan.bBatchStrides), get(panel))),
    set(cAt, i32.add(out, i32.shl(i32.add(i32.mul(i32.add(i32.mul(get(q), c(m)), i32.mul(get(group), c(groupRows))), c(n)), i32.mul(get(panel), c(nr))), c(2)))),
    ...(lastRows === groupRows ? forRows(groupRows) : [if_(i32.lt_s(get(group), c(groups - 1)), forRows(groupRows), forRows(lastRows))]),
  ]);
}

// Sᵀ·B can also go through a copy of S transposed to [..., M, K] (scratch), after which the
// one-row walk above, with its eight spikes a test and its accumulators in registers, takes it:
// `spikeTransposeStatements` into the scratch, then the spike stage of
// `planSpikeMatmul(untransposedSpikeSpec(spec))` reading S from the scratch. Same bits either way.

/** The spec of S·B with S's copy stored [..., M, K]: transposeA off, aShape's last two dims swapped. */
export function untransposedSpikeSpec(spec: MatmulSpec): MatmulSpec {
  const a = spec.aShape;
  return { ...spec, aShape: spec.transposeA ? [...a.slice(0, -2), a[a.length - 1]!, a[a.length - 2]!] : a, transposeA: false };
}

/** Bytes of S's transposed copy (shared by all threads). */
export const spikeTransposeScratchBytes = (plan: MatmulPlan): number => plan.aMatrices * plan.m * plan.k * 4;

/** Work items of the copy: S's matrices × rows of the copy (M each). */
export const spikeTransposeItems = (plan: MatmulPlan): number => (plan.k === 0 ? 0 : plan.aMatrices * plan.m);

/** Items [lo, hi) of the copy: row i of matrix q of the copy = column i of S ([..., K, M] at `s`), written at `copy`. */
export function spikeTransposeStatements(fn: LocalAllocator, plan: MatmulPlan, s: Expr<'i32'>, copy: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  if (!plan.transposeA) throw new RangeError('spike matmul: S is already stored [..., M, K]; there is nothing to transpose');
  const { m, k } = plan;
  const item = fn.local('i32');
  const src = fn.local('i32');
  const dst = fn.local('i32');
  const p = fn.local('i32');
  return forRange(item, lo, hi, 1, [
    // item = q·M + i: S's column i of matrix q starts at (q·K·M + i) floats, the copy's row at item·K.
    set(src, i32.add(s, i32.shl(i32.add(i32.mul(i32.div_u(get(item), c(m)), c(k * m)), i32.rem_u(get(item), c(m))), c(2)))),
    set(dst, i32.add(copy, i32.mul(get(item), c(k * 4)))),
    ...forRange(p, c(0), c(k), 1, [f32.store(get(dst), f32.load(get(src))), increment(src, c(4 * m)), increment(dst, c(4))]),
  ]);
}
