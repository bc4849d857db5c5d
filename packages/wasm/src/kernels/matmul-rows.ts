// `matmul` for a few rows (M <= 4) with B read as stored ([..., K, N], not transposeB): packing B
// would cost as much as the product, which reads each element of B once per row. Instead each work
// item takes a chunk of W = 4·vectors columns of every row, walks k outermost (so B's rows stream
// through, W contiguous floats each), broadcasts A[i, k] and adds A[i, k]·B[k, chunk] into
// M·vectors v128 accumulators. The last, narrower chunk (N mod W columns, known when generating)
// takes whole vectors, then scalar columns, so nothing is read past B's row.
//
// Work items: output batch matrices × column chunks. No scratch.
//
// Order: matmul.ts's: per K block of kBlock from zero, s = fl(s + fl(a·b)) in increasing k; the
// first block's s is stored, later blocks' are added to C (C = fl(C + s)). So this path and the
// packed one give the same bits.
import { f32, f32x4, get, i32, if_, select, set, v128, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { forRange, increment } from './loops.js';
import { matrixIndex, type MatmulPlan } from './matmul-forms.js';

/** The most rows this path takes. */
export const ROWS_PATH_MAX_M = 4;

export interface RowsMatmulPlan {
  readonly matmul: MatmulPlan;
  /** v128 vectors of columns per chunk and row. */
  readonly vectors: number;
  readonly chunks: number;
}

/** Whether a matmul takes the unpacked-B path: at most 4 rows, B not transposed, K > 0. */
export const rowsPathApplies = (plan: MatmulPlan): boolean => plan.m <= ROWS_PATH_MAX_M && !plan.transposeB && plan.k > 0;

/** Vectors per row: 8 accumulators in all (8 for one row, 4 for two, 2 for three or four). */
export function planRowsMatmul(plan: MatmulPlan): RowsMatmulPlan {
  if (!rowsPathApplies(plan)) throw new RangeError(`matmul: the unpacked-B path takes M <= ${ROWS_PATH_MAX_M}, B not transposed and K > 0 (M = ${plan.m}, K = ${plan.k}, transposeB ${plan.transposeB})`);
  const vectors = plan.m === 1 ? 8 : plan.m === 2 ? 4 : 2;
  return { matmul: plan, vectors, chunks: Math.ceil(plan.n / (4 * vectors)) };
}

export const rowsMatmulItems = (plan: RowsMatmulPlan): number => plan.matmul.batch.reduce((x, d) => x * d, 1) * plan.chunks;

const c = i32.const;

/**
 * Items [lo, hi) (output matrix × column chunk): C at byte address `out` from A at `a` and B at
 * `b`, both as stored.
 */
export function rowsMatmulStatements(fn: LocalAllocator, rowsPlan: RowsMatmulPlan, a: Expr<'i32'>, b: Expr<'i32'>, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const plan = rowsPlan.matmul;
  const { m, k, n } = plan;
  const width = 4 * rowsPlan.vectors;
  const tailWidth = n - (rowsPlan.chunks - 1) * width;
  // Bytes between A[i, p] and A[i + 1, p], and A[i, p] and A[i, p + 1], as stored.
  const [aRowBytes, aStepBytes] = plan.transposeA ? [4, 4 * m] : [4 * k, 4];
  const kBlock = plan.tiling.kBlock;
  const item = fn.local('i32');
  const q = fn.local('i32');
  const chunk = fn.local('i32');
  const aAt = fn.local('i32');
  const bAt = fn.local('i32');
  const cAt = fn.local('i32');
  const k0 = fn.local('i32');
  const p = fn.local('i32');
  const pEnd = fn.local('i32');
  const splat = fn.local('v128');
  const scalarA = fn.local('f32');
  const bv = Array.from({ length: rowsPlan.vectors }, () => fn.local('v128'));
  const bs = [0, 1, 2].map(() => fn.local('f32'));
  const vacc = Array.from({ length: m * rowsPlan.vectors }, () => fn.local('v128'));
  const sacc = Array.from({ length: m * 3 }, () => fn.local('f32'));

  /** The chunk's K loop for `vectors` vector columns then `scalars` scalar columns. */
  const columns = (vectors: number, scalars: number): Stmt[] => {
    const vAcc = (i: number, v: number) => vacc[i * vectors + v]!;
    const sAcc = (i: number, s: number) => sacc[i * 3 + s]!;
    // One row: B's vectors are loaded where they are used; more rows: loaded once, used by each.
    const bVector = (v: number): Expr<'v128'> => (m === 1 ? v128.load(get(bAt), { offset: 16 * v, align: 4 }) : get(bv[v]!));
    const perK: Stmt[] = [
      ...(m === 1 ? [] : Array.from({ length: vectors }, (_, v) => set(bv[v]!, v128.load(get(bAt), { offset: 16 * v, align: 4 })))),
      ...Array.from({ length: scalars }, (_, s) => set(bs[s]!, f32.load(get(bAt), { offset: 4 * (4 * vectors + s) }))),
      ...Array.from({ length: m }, (_, i) => [
        ...(vectors > 0 ? [set(splat, v128.load32_splat(get(aAt), { offset: i * aRowBytes })), ...Array.from({ length: vectors }, (_, v) => set(vAcc(i, v), f32x4.add(get(vAcc(i, v)), f32x4.mul(get(splat), bVector(v)))))] : []),
        ...(scalars > 0 ? [set(scalarA, f32.load(get(aAt), { offset: i * aRowBytes })), ...Array.from({ length: scalars }, (_, s) => set(sAcc(i, s), f32.add(get(sAcc(i, s)), f32.mul(get(scalarA), get(bs[s]!)))))] : []),
      ]).flat(),
      increment(aAt, c(aStepBytes)),
      increment(bAt, c(n * 4)),
    ];
    const cv = (i: number, v: number) => ({ offset: (i * n + 4 * v) * 4 });
    const cs = (i: number, s: number) => ({ offset: (i * n + 4 * vectors + s) * 4 });
    const storeFirst = Array.from({ length: m }, (_, i) => [
      ...Array.from({ length: vectors }, (_, v) => v128.store(get(cAt), get(vAcc(i, v)), { ...cv(i, v), align: 4 })),
      ...Array.from({ length: scalars }, (_, s) => f32.store(get(cAt), get(sAcc(i, s)), cs(i, s))),
    ]).flat();
    const addLater = Array.from({ length: m }, (_, i) => [
      ...Array.from({ length: vectors }, (_, v) => v128.store(get(cAt), f32x4.add(v128.load(get(cAt), { ...cv(i, v), align: 4 }), get(vAcc(i, v))), { ...cv(i, v), align: 4 })),
      ...Array.from({ length: scalars }, (_, s) => f32.store(get(cAt), f32.add(f32.load(get(cAt), cs(i, s)), get(sAcc(i, s))), cs(i, s))),
    ]).flat();
    return forRange(k0, c(0), c(k), kBlock, [
      ...Array.from({ length: m }, (_, i) => [
        ...Array.from({ length: vectors }, (_, v) => set(vAcc(i, v), v128.const_i32x4([0, 0, 0, 0]))),
        ...Array.from({ length: scalars }, (_, s) => set(sAcc(i, s), f32.const(0))),
      ]).flat(),
      set(pEnd, i32.add(get(k0), c(kBlock))),
      set(pEnd, select(c(k), get(pEnd), i32.gt_s(get(pEnd), c(k)))),
      ...forRange(p, get(k0), get(pEnd), 1, perK),
      if_(i32.eqz(get(k0)), storeFirst, addLater),
    ]);
  };

  return forRange(item, lo, hi, 1, [
    set(q, i32.div_u(get(item), c(rowsPlan.chunks))),
    set(chunk, i32.rem_u(get(item), c(rowsPlan.chunks))),
    set(aAt, i32.add(a, i32.mul(matrixIndex(plan, q, plan.aBatchStrides), c(m * k * 4)))),
    set(bAt, i32.add(b, i32.add(i32.mul(matrixIndex(plan, q, plan.bBatchStrides), c(k * n * 4)), i32.mul(get(chunk), c(width * 4))))),
    set(cAt, i32.add(out, i32.add(i32.mul(get(q), c(m * n * 4)), i32.mul(get(chunk), c(width * 4))))),
    ...(tailWidth === width
      ? columns(rowsPlan.vectors, 0)
      : [if_(i32.lt_s(get(chunk), c(rowsPlan.chunks - 1)), columns(rowsPlan.vectors, 0), columns(Math.floor(tailWidth / 4), tailWidth % 4))]),
  ]);
}
