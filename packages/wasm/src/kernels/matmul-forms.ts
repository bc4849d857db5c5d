// `matmul` in every form the primitive allows: operands [..., M, K] and [..., K, N] (or stored
// transposed: transposeA reads a as [..., K, M], transposeB reads b as [..., N, K]), batch dims
// broadcast against each other numpy-style, out [...batch, M, N]. Three stages, each a kernel over
// its own work items, run in order:
//
//   packA    items = a's batch matrices × row tiles: A into tile-major panels (per tile of `rows`
//            rows, K steps of `rows` floats; rows past M are zeros), from either layout.
//   packB    items = b's batch matrices × column panels: B into panels of NR = 4·vectors columns
//            (K rows of NR floats, zero past N), from either layout.
//   multiply items = out's batch matrices × row tiles: the register-blocked tiles of matmul.ts
//            over the packed operands (K in blocks of kBlock, a thread's tiles in blocks of
//            mBlock rows), no per-thread scratch: a partial panel is written lane by lane.
//
// Each output element is summed as matmul.ts sums it: per K block from zero, fl(s + fl(a·b)) in
// increasing k, then added to the previous blocks' total. Narrow shapes get a narrower tile
// (rows = M when M < rows; one vector when N <= 4), so a 1-row or 4-column product does not
// compute padding.
import { f32, get, i32, if_, select, set, v128, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { forRange, increment, whileLess } from './loops.js';
import { DEFAULT_MATMUL_TILING, panelWidth, tileStatements, type MatmulTiling } from './matmul.js';

export interface MatmulSpec {
  readonly aShape: readonly number[];
  readonly bShape: readonly number[];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly tiling?: MatmulTiling;
}

/** A matmul's sizes and layout, resolved once and shared by its three stages. */
export interface MatmulPlan {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** The output's batch dims (the broadcast of both operands'). */
  readonly batch: readonly number[];
  /** Batch matrices stored in a and in b. */
  readonly aMatrices: number;
  readonly bMatrices: number;
  /** Per output batch axis: how far (in matrices) a's and b's batch index moves; 0 where broadcast. */
  readonly aBatchStrides: readonly number[];
  readonly bBatchStrides: readonly number[];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** The tiling used (narrowed for small M or N). */
  readonly tiling: MatmulTiling;
  readonly rowTiles: number;
  readonly panels: number;
}

const c = i32.const;

/**
 * Which stored matrix of an operand output matrix q reads (shared by the matmul paths): Σ_d (q's
 * index along batch axis d)·strides[d], with constant divisors; broadcast axes have stride 0.
 */
export function matrixIndex(plan: MatmulPlan, q: Local<'i32'>, strides: readonly number[]): Expr<'i32'> {
  let sum: Expr<'i32'> = c(0);
  let divisor = 1;
  for (let d = plan.batch.length - 1; d >= 0; d--) {
    const size = plan.batch[d]!;
    if (strides[d] !== 0) sum = i32.add(sum, i32.mul(i32.rem_u(i32.div_u(get(q), c(divisor)), c(size)), c(strides[d]!)));
    divisor *= size;
  }
  return sum;
}

const product = (dims: readonly number[]) => dims.reduce((x, d) => x * d, 1);

/** Strides, in matrices, of a batch dims broadcast to `batch` (right-aligned; 0 where length 1 or absent). */
function broadcastStrides(dims: readonly number[], batch: readonly number[]): number[] {
  const strides = new Array<number>(batch.length).fill(0);
  let stride = 1;
  for (let i = 1; i <= dims.length; i++) {
    const d = dims[dims.length - i]!;
    if (d !== 1) strides[batch.length - i] = stride;
    stride *= d;
  }
  return strides;
}

export function planMatmul(spec: MatmulSpec): MatmulPlan {
  const { aShape, bShape, transposeA, transposeB } = spec;
  if (aShape.length < 2 || bShape.length < 2) throw new RangeError(`matmul: operands need rank >= 2, got [${aShape.join(', ')}] and [${bShape.join(', ')}]`);
  const [ar, ac] = aShape.slice(-2) as [number, number];
  const [br, bc] = bShape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  if (k !== kb) throw new RangeError(`matmul: inner dimensions differ (${k} and ${kb})`);
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch = Array.from({ length: rank }, (_, i) => {
    const x = aBatch[aBatch.length - rank + i] ?? 1;
    const y = bBatch[bBatch.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new RangeError(`matmul: batch dims [${aBatch.join(', ')}] and [${bBatch.join(', ')}] do not broadcast`);
    return x === 1 ? y : x;
  });
  const base = spec.tiling ?? DEFAULT_MATMUL_TILING;
  const rows = Math.max(1, Math.min(base.rows, m));
  const tiling: MatmulTiling = { rows, vectors: n <= 4 ? 1 : base.vectors, kBlock: base.kBlock, mBlock: Math.max(rows, Math.floor(base.mBlock / rows) * rows) };
  return {
    m,
    k,
    n,
    batch,
    aMatrices: product(aBatch),
    bMatrices: product(bBatch),
    aBatchStrides: broadcastStrides(aBatch, batch),
    bBatchStrides: broadcastStrides(bBatch, batch),
    transposeA,
    transposeB,
    tiling,
    rowTiles: Math.ceil(m / rows),
    panels: Math.ceil(n / panelWidth(tiling)),
  };
}

/** Work items of each stage. */
export const packAItems = (plan: MatmulPlan): number => (plan.k === 0 ? 0 : plan.aMatrices * plan.rowTiles);
export const packBItems = (plan: MatmulPlan): number => (plan.k === 0 ? 0 : plan.bMatrices * plan.panels);
export const multiplyItems = (plan: MatmulPlan): number => product(plan.batch) * plan.rowTiles;

/** Bytes of one packed A matrix and one packed B matrix. */
const packedAMatrixBytes = (plan: MatmulPlan) => plan.rowTiles * plan.tiling.rows * plan.k * 4;
export const packedBMatrixBytes = (plan: MatmulPlan): number => plan.panels * panelWidth(plan.tiling) * plan.k * 4;

/** Scratch the stages share (not per thread): packed A, then packed B. Live from packA to the end of multiply. */
export function matmulScratchBytes(plan: MatmulPlan): { readonly packedA: number; readonly packedB: number } {
  return { packedA: plan.aMatrices * packedAMatrixBytes(plan), packedB: plan.bMatrices * packedBMatrixBytes(plan) };
}

/** Byte offset, in a packed B, of element (p, j) of panel `panel` of matrix 0: panels are K rows of NR floats. */
export function packedBOffset(plan: MatmulPlan, panel: Expr<'i32'>, p: Expr<'i32'>, j: Expr<'i32'>): Expr<'i32'> {
  const nr = panelWidth(plan.tiling);
  return i32.shl(i32.add(i32.mul(i32.add(i32.mul(panel, c(plan.k)), p), c(nr)), j), c(2));
}

/** Splits items [lo, hi) of `perMatrix` items each into runs within one matrix: body(matrix, first, end). */
function perMatrixRuns(fn: LocalAllocator, perMatrix: number, lo: Expr<'i32'>, hi: Expr<'i32'>, body: (matrix: Expr<'i32'>, first: Expr<'i32'>, end: Expr<'i32'>) => Stmt[]): Stmt[] {
  const item = fn.local('i32');
  const end = fn.local('i32');
  const matrix = fn.local('i32');
  const first = fn.local('i32');
  const last = fn.local('i32');
  return [
    set(item, lo),
    set(end, hi),
    whileLess(item, get(end), [
      set(matrix, i32.div_u(get(item), c(perMatrix))),
      set(first, i32.rem_u(get(item), c(perMatrix))),
      set(last, i32.add(get(first), i32.sub(get(end), get(item)))),
      set(last, select(get(last), c(perMatrix), i32.lt_s(get(last), c(perMatrix)))),
      ...body(get(matrix), get(first), get(last)),
      increment(item, i32.sub(get(last), get(first))),
    ]),
  ];
}

/** packA over items [lo, hi): A (at byte address `a`) into tile-major panels at `packedA`. */
export function packAStatements(fn: LocalAllocator, plan: MatmulPlan, a: Expr<'i32'>, packedA: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const { m, k, tiling } = plan;
  const rows = tiling.rows;
  // Bytes between A[i, p] and A[i + 1, p], and A[i, p] and A[i, p + 1], as stored.
  const [rowBytes, colBytes] = plan.transposeA ? [4, 4 * m] : [4 * k, 4];
  const tileIndex = fn.local('i32');
  const src = fn.local('i32');
  const dst = fn.local('i32');
  const p = fn.local('i32');
  const row0 = fn.local('i32');
  const copyRow = (r: number) => f32.store(get(dst), f32.load(get(src), { offset: r * rowBytes }), { offset: 4 * r });
  // Rows past M (only in the last tile) are zeros.
  const zeroOrCopy = (r: number) => (r === 0 ? copyRow(0) : if_(i32.lt_s(i32.add(get(row0), c(r)), c(m)), [copyRow(r)], [f32.store(get(dst), f32.const(0), { offset: 4 * r })]));
  return perMatrixRuns(fn, plan.rowTiles, lo, hi, (matrix, first, end) =>
    forRange(tileIndex, first, end, 1, [
      set(row0, i32.mul(get(tileIndex), c(rows))),
      set(src, i32.add(i32.add(a, i32.mul(matrix, c(m * k * 4))), i32.mul(get(row0), c(rowBytes)))),
      set(dst, i32.add(i32.add(packedA, i32.mul(matrix, c(packedAMatrixBytes(plan)))), i32.mul(get(tileIndex), c(rows * k * 4)))),
      ...forRange(p, c(0), c(k), 1, [...Array.from({ length: rows }, (_, r) => (m % rows === 0 ? copyRow(r) : zeroOrCopy(r))), increment(src, c(colBytes)), increment(dst, c(4 * rows))]),
    ]),
  );
}

/** packB over items [lo, hi): B (at byte address `b`) into panels at `packedB`. */
export function packBStatements(fn: LocalAllocator, plan: MatmulPlan, b: Expr<'i32'>, packedB: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const { k, n, tiling } = plan;
  const nr = panelWidth(tiling);
  const [rowBytes, colBytes] = plan.transposeB ? [4, 4 * k] : [4 * n, 4];
  const panel = fn.local('i32');
  const col0 = fn.local('i32');
  const src = fn.local('i32');
  const dst = fn.local('i32');
  const p = fn.local('i32');
  const j = fn.local('i32');
  // Not transposed and full: NR contiguous floats per k, copied as vectors.
  const vectorRow = Array.from({ length: tiling.vectors }, (_, v) => v128.store(get(dst), v128.load(get(src), { offset: 16 * v, align: 4 }), { offset: 16 * v }));
  const scalarRow = forRange(j, c(0), c(nr), 1, [
    if_(
      i32.lt_s(i32.add(get(col0), get(j)), c(n)),
      [f32.store(i32.add(get(dst), i32.shl(get(j), c(2))), f32.load(i32.add(get(src), i32.mul(get(j), c(colBytes)))))],
      [f32.store(i32.add(get(dst), i32.shl(get(j), c(2))), f32.const(0))],
    ),
  ]);
  const rowsOf = (row: Stmt[]) => forRange(p, c(0), c(k), 1, [...row, increment(src, c(rowBytes)), increment(dst, c(nr * 4))]);
  return perMatrixRuns(fn, plan.panels, lo, hi, (matrix, first, end) =>
    forRange(panel, first, end, 1, [
      set(col0, i32.mul(get(panel), c(nr))),
      set(src, i32.add(i32.add(b, i32.mul(matrix, c(k * n * 4))), i32.mul(get(col0), c(colBytes)))),
      set(dst, i32.add(i32.add(packedB, i32.mul(matrix, c(packedBMatrixBytes(plan)))), packedBOffset(plan, get(panel), c(0), c(0)))),
      ...(plan.transposeB ? rowsOf(scalarRow) : [if_(i32.le_s(i32.add(get(col0), c(nr)), c(n)), rowsOf(vectorRow), rowsOf(scalarRow))]),
    ]),
  );
}

/** `Σ_d (batch index along d)·strides[d]` of output batch matrix `q`, as an expression over constants. */
function batchOffset(fn: LocalAllocator, plan: MatmulPlan, q: Expr<'i32'>, strides: readonly number[]): Stmt[] & { result: Expr<'i32'> } {
  const rest = fn.local('i32');
  const sum = fn.local('i32');
  const out: Stmt[] = [set(rest, q), set(sum, c(0))];
  for (let d = plan.batch.length - 1; d >= 0; d--) {
    const size = plan.batch[d]!;
    if (strides[d] !== 0) out.push(increment(sum, i32.mul(i32.rem_u(get(rest), c(size)), c(strides[d]!))));
    out.push(set(rest, i32.div_u(get(rest), c(size))));
  }
  return Object.assign(out, { result: get(sum) });
}

/**
 * multiply over items [lo, hi) (output matrix × row tile): C at byte address `out` from the packed
 * operands. With K = 0 the product is zeros.
 */
export function multiplyStatements(fn: LocalAllocator, plan: MatmulPlan, packedA: Expr<'i32'>, packedB: Expr<'i32'>, out: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const { m, k, n, tiling } = plan;
  const { rows } = tiling;
  const nr = panelWidth(tiling);
  const tilesPerBlock = tiling.mBlock / rows;
  const aMatrix = fn.local('i32');
  const bMatrix = fn.local('i32');
  const cMatrix = fn.local('i32');
  const k0 = fn.local('i32');
  const kcBytes = fn.local('i32');
  const block = fn.local('i32');
  const blockEnd = fn.local('i32');
  const panel = fn.local('i32');
  const col0 = fn.local('i32');
  const cols = fn.local('i32');
  const bBlock = fn.local('i32');
  const t = fn.local('i32');
  const min = (x: Expr<'i32'>, y: Expr<'i32'>) => select(x, y, i32.lt_s(x, y));
  if (k === 0) {
    const i = fn.local('i32');
    return perMatrixRuns(fn, plan.rowTiles, lo, hi, (q, first, end) =>
      forRange(i, i32.mul(i32.add(i32.mul(q, c(m)), i32.mul(first, c(rows))), c(n)), i32.mul(i32.add(i32.mul(q, c(m)), min(c(m), i32.mul(end, c(rows)))), c(n)), 1, [
        f32.store(i32.add(out, i32.shl(get(i), c(2))), f32.const(0)),
      ]),
    );
  }
  return perMatrixRuns(fn, plan.rowTiles, lo, hi, (q, first, end) => {
    const aOffset = batchOffset(fn, plan, q, plan.aBatchStrides);
    const bOffset = batchOffset(fn, plan, q, plan.bBatchStrides);
    return [
      ...aOffset,
      set(aMatrix, i32.add(packedA, i32.mul(aOffset.result, c(packedAMatrixBytes(plan))))),
      ...bOffset,
      set(bMatrix, i32.add(packedB, i32.mul(bOffset.result, c(packedBMatrixBytes(plan))))),
      set(cMatrix, i32.add(out, i32.mul(q, c(m * n * 4)))),
      ...forRange(k0, c(0), c(k), tiling.kBlock, [
        set(kcBytes, i32.shl(min(c(tiling.kBlock), i32.sub(c(k), get(k0))), c(2))),
        ...forRange(block, first, end, tilesPerBlock, [
          set(blockEnd, min(i32.add(get(block), c(tilesPerBlock)), end)),
          ...forRange(panel, c(0), c(plan.panels), 1, [
            set(col0, i32.mul(get(panel), c(nr))),
            set(cols, min(c(nr), i32.sub(c(n), get(col0)))),
            set(bBlock, i32.add(get(bMatrix), packedBOffset(plan, get(panel), get(k0), c(0)))),
            ...forRange(t, get(block), get(blockEnd), 1, [
              ...tileStatements({
                fn,
                tiling,
                rows,
                a: i32.add(get(aMatrix), i32.mul(i32.add(i32.mul(get(t), c(k)), get(k0)), c(rows * 4))),
                aStep: rows * 4,
                bBlock,
                kcBytes,
                firstBlock: i32.eqz(get(k0)),
                cRow: (r) => i32.add(get(cMatrix), i32.shl(i32.add(i32.mul(i32.add(i32.mul(get(t), c(rows)), c(r)), c(n)), get(col0)), c(2))),
                cols,
                edge: 'lanes',
                rowsValid: m % rows === 0 ? undefined : i32.sub(c(m), i32.mul(get(t), c(rows))),
              }),
            ]),
          ]),
        ]),
      ]),
    ];
  });
}
