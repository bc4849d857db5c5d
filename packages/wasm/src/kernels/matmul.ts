// f32 matmul C = A·B (row-major, any M, K, N), register-blocked and cache-tiled for 128-bit SIMD.
//
// B is first packed into panels of `4·vectors` columns (`packB`): panel p holds B[:, p·NR .. p·NR+NR)
// as K rows of NR contiguous floats, zero-padded past column N, so the inner loop reads B as one
// linear stream. `matmul` then walks K in blocks of `kBlock` and the thread's rows in blocks of
// `mBlock` (that slice of A stays in L2), and, per panel (one panel block stays in L1 while the
// block's rows sweep it), computes tiles of `rows` × NR outputs in
// rows·vectors v128 accumulators: per k step, `vectors` loads of B, one broadcast load of A per row
// and rows·vectors multiply-adds (mul then add: fused relaxed-SIMD is not available everywhere).
// Each thread packs its block of A too (full tiles only), so a tile reads A as one stream.
// Row tails use a one-row tile reading A directly; the column tail (the last, partial panel) goes through a per-thread
// scratch tile and is written element by element.
import { br_if, f32, f32x4, get, i32, if_, loop, select, set, v128, type Expr, type Local, type LocalAllocator, type ModuleBuilder, type Stmt } from '../module-builder/index.js';
import { forRange, increment } from './loops.js';

export interface MatmulTiling {
  /** Rows of A per register tile. */
  readonly rows: number;
  /** v128 vectors of C per tile row (the panel is 4·vectors columns wide). */
  readonly vectors: number;
  /** K elements per cache block. */
  readonly kBlock: number;
  /** Rows of A per cache block (a multiple of `rows`): its rows × kBlock slice of A stays in L2 while the panels sweep it. */
  readonly mBlock: number;
}

/** 4 rows × 2 vectors: 8 accumulators, 2 B vectors and one broadcast fit in 16 SIMD registers. */
export const DEFAULT_MATMUL_TILING: MatmulTiling = { rows: 4, vectors: 2, kBlock: 256, mBlock: 64 };

/** Columns of one packed panel. */
export const panelWidth = (tiling: MatmulTiling): number => 4 * tiling.vectors;

/** Floats of B's packed copy for K × N. */
export const packedBFloats = (k: number, n: number, tiling: MatmulTiling): number => k * Math.ceil(n / panelWidth(tiling)) * panelWidth(tiling);

/** Floats of one thread's scratch: the column-tail tile, then the packed block of A. */
export const scratchFloats = (tiling: MatmulTiling): number => tiling.rows * panelWidth(tiling) + tiling.mBlock * tiling.kBlock;

const c = i32.const;
const ZERO4 = v128.const_i32x4([0, 0, 0, 0]);

/** `packB(b, packed, k, n, panelStart, panelEnd)`: packs panels [panelStart, panelEnd) of B (K × N). */
function addPackB(module: ModuleBuilder, tiling: MatmulTiling): void {
  const nr = panelWidth(tiling);
  module.function('packB', { params: { b: 'i32', packed: 'i32', k: 'i32', n: 'i32', panelStart: 'i32', panelEnd: 'i32' } }, (p, fn) => {
    const panel = fn.local('i32');
    const col0 = fn.local('i32');
    const dst = fn.local('i32');
    const src = fn.local('i32');
    const kk = fn.local('i32');
    const j = fn.local('i32');
    const fullPanel = Array.from({ length: tiling.vectors }, (_, v) => v128.store(get(dst), v128.load(get(src), { offset: 16 * v, align: 4 }), { offset: 16 * v }));
    const srcRow = () => i32.add(get(p.b), i32.shl(i32.add(i32.mul(get(kk), get(p.n)), get(col0)), c(2)));
    return {
      body: forRange(panel, get(p.panelStart), get(p.panelEnd), 1, [
        set(col0, i32.mul(get(panel), c(nr))),
        set(dst, i32.add(get(p.packed), i32.mul(i32.mul(get(panel), get(p.k)), c(nr * 4)))),
        if_(
          i32.le_s(i32.add(get(col0), c(nr)), get(p.n)),
          forRange(kk, c(0), get(p.k), 1, [set(src, srcRow()), ...fullPanel, increment(dst, c(nr * 4))]),
          forRange(kk, c(0), get(p.k), 1, [
            set(src, srcRow()),
            ...forRange(j, c(0), c(nr), 1, [
              if_(
                i32.lt_s(i32.add(get(col0), get(j)), get(p.n)),
                [f32.store(get(dst), f32.load(i32.add(get(src), i32.shl(get(j), c(2)))))],
                [f32.store(get(dst), f32.const(0))],
              ),
              increment(dst, c(4)),
            ]),
          ]),
        ),
      ]),
    };
  });
}

/** Locals the tile code shares with the loops around it. */
interface TileContext {
  readonly fn: LocalAllocator;
  readonly tiling: MatmulTiling;
  readonly a: Local<'i32'>;
  readonly c: Local<'i32'>;
  readonly k: Local<'i32'>;
  readonly n: Local<'i32'>;
  readonly scratch: Local<'i32'>;
  /** The current block of A's full tiles, packed: per tile, kc steps of `rows` floats. */
  readonly packedA: Local<'i32'>;
  /** First row of the current row block. */
  readonly m0: Local<'i32'>;
  /** First row of the tile. */
  readonly row: Local<'i32'>;
  readonly k0: Local<'i32'>;
  readonly kcBytes: Local<'i32'>;
  readonly bBlock: Local<'i32'>;
  readonly col0: Local<'i32'>;
  readonly cols: Local<'i32'>;
}

/** What one register tile needs: where its A and B start, where its C rows are, how the edge is stored. */
export interface TileArgs {
  readonly fn: LocalAllocator;
  readonly tiling: MatmulTiling;
  /** Rows of the tile (`tiling.rows`, or 1 for a row tail). */
  readonly rows: number;
  /** Address of the tile's A at the block's first k: `rows` floats per k step, one after another if `aStep` is 4·rows. */
  readonly a: Expr<'i32'>;
  /** Bytes from one k step of A to the next. */
  readonly aStep: number;
  /** The panel's packed B at the block's first k. */
  readonly bBlock: Local<'i32'>;
  /** Bytes of one k step of the block (4·kc; kc >= 1). */
  readonly kcBytes: Local<'i32'>;
  /** Non-zero for the first K block: C is set, not added to. */
  readonly firstBlock: Expr<'i32'>;
  /** Address of C[tile row r, panel column 0]. */
  readonly cRow: (r: number) => Expr<'i32'>;
  /** Valid columns of the panel (NR, or fewer for the last panel). */
  readonly cols: Local<'i32'>;
  /** How a partial panel is written: through a scratch tile of rows × NR floats, or lane by lane. */
  readonly edge: { readonly scratch: Local<'i32'> } | 'lanes';
  /** Rows stored, when the tile may run past C's last row (rows 1.. are then stored only while below it). */
  readonly rowsValid?: Expr<'i32'>;
}

/**
 * One tile of `rows` rows × one panel, accumulated over the current K block into C, in the order
 * s = fl(s + fl(a·b)) from s = 0 per block, then c = s on the first block, else c = fl(c + s).
 */
export function tileStatements(t: TileArgs): Stmt[] {
  const { fn, tiling, rows } = t;
  const nr = panelWidth(tiling);
  const acc = Array.from({ length: rows }, () => Array.from({ length: tiling.vectors }, () => fn.local('v128')));
  const bv = Array.from({ length: tiling.vectors }, () => fn.local('v128'));
  const cRow = Array.from({ length: rows }, () => fn.local('i32'));
  const aSplat = fn.local('v128');
  const ap = fn.local('i32');
  const bq = fn.local('i32');
  const bEnd = fn.local('i32');
  const j = fn.local('i32');
  const first = fn.local('i32');
  const firstBlock = get(first);

  const kStep: Stmt[] = [
    ...bv.map((b, v) => set(b, v128.load(get(bq), { offset: 16 * v }))),
    ...acc.flatMap((accRow, r) => [
      set(aSplat, v128.load32_splat(get(ap), { offset: 4 * r })),
      ...accRow.map((x, v) => set(x, f32x4.add(get(x), f32x4.mul(get(aSplat), get(bv[v]!))))),
    ]),
    increment(ap, c(t.aStep)),
    increment(bq, c(nr * 4)),
  ];
  const guardRow = (r: number, body: Stmt[]): Stmt[] => (r > 0 && t.rowsValid !== undefined ? [if_(i32.lt_s(c(r), t.rowsValid), body)] : body);
  const storeFull = acc.flatMap((accRow, r) =>
    guardRow(
      r,
      accRow.map((x, v) =>
        if_(
          firstBlock,
          [v128.store(get(cRow[r]!), get(x), { offset: 16 * v, align: 4 })],
          [v128.store(get(cRow[r]!), f32x4.add(v128.load(get(cRow[r]!), { offset: 16 * v, align: 4 }), get(x)), { offset: 16 * v, align: 4 })],
        ),
      ),
    ),
  );
  const storeOne = (address: Expr<'i32'>, value: Expr<'f32'>): Stmt => if_(firstBlock, [f32.store(address, value)], [f32.store(address, f32.add(f32.load(address), value))]);
  const storeEdge: Stmt[] =
    t.edge === 'lanes'
      ? acc.flatMap((accRow, r) =>
          guardRow(
            r,
            accRow.flatMap((x, v) =>
              [0, 1, 2, 3].map((lane) => if_(i32.lt_s(c(4 * v + lane), get(t.cols)), [storeOne(i32.add(get(cRow[r]!), c(4 * (4 * v + lane))), f32x4.extract_lane(get(x), lane))])),
            ),
          ),
        )
      : edgeThroughScratch(t.edge.scratch, acc, cRow, j, t.cols, nr, storeOne, guardRow);
  return [
    set(first, t.firstBlock),
    ...acc.flat().map((x) => set(x, ZERO4)),
    set(ap, t.a),
    ...cRow.map((cr, r) => set(cr, t.cRow(r))),
    set(bq, get(t.bBlock)),
    set(bEnd, i32.add(get(t.bBlock), i32.mul(get(t.kcBytes), c(nr)))),
    // kc >= 1, so the K loop tests at its bottom.
    loop((next) => [...kStep, br_if(next, i32.lt_u(get(bq), get(bEnd)))]),
    if_(i32.eq(get(t.cols), c(nr)), storeFull, storeEdge),
  ];
}

/** The partial panel through the scratch tile: the accumulators stored whole, then `cols` floats per row copied to C. */
function edgeThroughScratch(
  scratch: Local<'i32'>,
  acc: readonly (readonly Local<'v128'>[])[],
  cRow: readonly Local<'i32'>[],
  j: Local<'i32'>,
  cols: Local<'i32'>,
  nr: number,
  storeOne: (address: Expr<'i32'>, value: Expr<'f32'>) => Stmt,
  guardRow: (r: number, body: Stmt[]) => Stmt[],
): Stmt[] {
  return [
    ...acc.flatMap((accRow, r) => accRow.map((x, v) => v128.store(get(scratch), get(x), { offset: (r * nr + 4 * v) * 4 }))),
    ...cRow.flatMap((cr, r) =>
      guardRow(r, forRange(j, c(0), get(cols), 1, [storeOne(i32.add(get(cr), i32.shl(get(j), c(2))), f32.load(i32.add(get(scratch), i32.shl(get(j), c(2))), { offset: r * nr * 4 }))])),
    ),
  ];
}

/** One tile of the cache-blocked kernel: A from the packed block (full tiles) or A's own row (the one-row tail). */
function tile(t: TileContext, rows: number, fromPackedA: boolean): Stmt[] {
  const rowAddress = (base: Local<'i32'>, r: number, stride: Local<'i32'>, col: Expr<'i32'>) =>
    i32.add(get(base), i32.shl(i32.add(i32.mul(i32.add(get(t.row), c(r)), get(stride)), col), c(2)));
  return tileStatements({
    fn: t.fn,
    tiling: t.tiling,
    rows,
    a: fromPackedA ? i32.add(get(t.packedA), i32.mul(i32.sub(get(t.row), get(t.m0)), get(t.kcBytes))) : rowAddress(t.a, 0, t.k, get(t.k0)),
    aStep: (fromPackedA ? rows : 1) * 4,
    bBlock: t.bBlock,
    kcBytes: t.kcBytes,
    firstBlock: i32.eqz(get(t.k0)),
    cRow: (r) => rowAddress(t.c, r, t.n, get(t.col0)),
    cols: t.cols,
    edge: { scratch: t.scratch },
  });
}

/** Packs rows [m0, fullRowsEnd) × the K block of A into `packedA`, tile by tile, k-major within a tile. */
function packA(t: TileContext, fullRowsEnd: Local<'i32'>): Stmt[] {
  const { fn, tiling } = t;
  const row = fn.local('i32');
  const kk = fn.local('i32');
  const dst = fn.local('i32');
  const src = fn.local('i32');
  const kBytes = fn.local('i32');
  const copies = Array.from({ length: tiling.rows }, (_, r) => f32.store(get(dst), f32.load(i32.add(get(src), i32.mul(get(kBytes), c(r)))), { offset: 4 * r }));
  return [
    set(kBytes, i32.shl(get(t.k), c(2))),
    set(dst, get(t.packedA)),
    ...forRange(row, get(t.m0), get(fullRowsEnd), tiling.rows, [
      set(src, i32.add(get(t.a), i32.shl(i32.add(i32.mul(get(row), get(t.k)), get(t.k0)), c(2)))),
      ...forRange(kk, c(0), i32.shr_u(get(t.kcBytes), c(2)), 1, [...copies, increment(src, c(4)), increment(dst, c(4 * tiling.rows))]),
    ]),
  ];
}

/** `matmul(a, packed, c, k, n, rowStart, rowEnd, scratch)`: rows [rowStart, rowEnd) of C = A·B from B's packed panels. */
function addMatmul(module: ModuleBuilder, tiling: MatmulTiling): void {
  const nr = panelWidth(tiling);
  module.function(
    'matmul',
    { params: { a: 'i32', packed: 'i32', c: 'i32', k: 'i32', n: 'i32', rowStart: 'i32', rowEnd: 'i32', scratch: 'i32' } },
    (p, fn) => {
      const t: TileContext = {
        fn,
        tiling,
        a: p.a,
        c: p.c,
        k: p.k,
        n: p.n,
        scratch: p.scratch,
        packedA: fn.local('i32'),
        m0: fn.local('i32'),
        row: fn.local('i32'),
        k0: fn.local('i32'),
        kcBytes: fn.local('i32'),
        bBlock: fn.local('i32'),
        col0: fn.local('i32'),
        cols: fn.local('i32'),
      };
      const panel = fn.local('i32');
      const panels = fn.local('i32');
      const m0 = t.m0;
      const mEnd = fn.local('i32');
      const fullRowsEnd = fn.local('i32');
      const min = (x: Expr<'i32'>, y: Expr<'i32'>) => select(x, y, i32.lt_s(x, y));
      return {
        body: [
          set(t.packedA, i32.add(get(p.scratch), c(tiling.rows * nr * 4))),
          set(panels, i32.div_s(i32.add(get(p.n), c(nr - 1)), c(nr))),
          ...forRange(t.k0, c(0), get(p.k), tiling.kBlock, [
            set(t.kcBytes, i32.shl(min(c(tiling.kBlock), i32.sub(get(p.k), get(t.k0))), c(2))),
            ...forRange(m0, get(p.rowStart), get(p.rowEnd), tiling.mBlock, [
              set(mEnd, min(i32.add(get(m0), c(tiling.mBlock)), get(p.rowEnd))),
              // Rows [m0, fullRowsEnd) in tiles of `rows`; the rest one at a time.
              set(fullRowsEnd, i32.sub(get(mEnd), i32.rem_s(i32.sub(get(mEnd), get(m0)), c(tiling.rows)))),
              ...packA(t, fullRowsEnd),
              ...forRange(panel, c(0), get(panels), 1, [
                set(t.col0, i32.mul(get(panel), c(nr))),
                set(t.cols, min(c(nr), i32.sub(get(p.n), get(t.col0)))),
                set(t.bBlock, i32.add(get(p.packed), i32.shl(i32.mul(i32.add(i32.mul(get(panel), get(p.k)), get(t.k0)), c(nr)), c(2)))),
                ...forRange(t.row, get(m0), get(fullRowsEnd), tiling.rows, tile(t, tiling.rows, true)),
                ...(tiling.rows > 1 ? forRange(t.row, get(fullRowsEnd), get(mEnd), 1, tile(t, 1, false)) : []),
              ]),
            ]),
          ]),
        ],
      };
    },
  );
}

/** Adds the exported `packB` and `matmul` kernels for one tiling. */
export function addMatmulKernels(module: ModuleBuilder, tiling: MatmulTiling = DEFAULT_MATMUL_TILING): void {
  const sizes = [tiling.rows, tiling.vectors, tiling.kBlock, tiling.mBlock];
  if (!sizes.every((size) => Number.isInteger(size) && size >= 1) || tiling.mBlock % tiling.rows !== 0) {
    throw new RangeError(`matmul tiling ${JSON.stringify(tiling)}: rows, vectors, kBlock and mBlock must be positive integers, mBlock a multiple of rows`);
  }
  addPackB(module, tiling);
  addMatmul(module, tiling);
}
