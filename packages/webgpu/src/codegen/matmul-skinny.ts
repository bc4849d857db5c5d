import { broadcastShapes, sizeOf, type Shape } from '@spikeflow/core';
import { broadcastIndex } from './indexing.js';
import { bindingIndex, computeModule, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, SUBGROUP_LANE, u, upTo, type BufferBinding, type KernelSource } from './kernel-source.js';
import type { MatmulArgs } from './matmul.js';
import { epilogueCode } from './matmul-epilogue.js';
import { fromLane, laneIndex, SHARED_LOAD_WIDTH, sharesLoads } from './subgroup-loads.js';

/**
 * Kernels for the matmul shapes that the tiled kernel (matmul.ts) serves badly, because a 64-wide
 * tile of a side that has only a few rows is mostly padding, or because a small output gives a
 * handful of workgroups that each walk a very long K:
 * - narrow: one side (M or N) at most NARROW_MAX, the other long — PSN's W·X over [T, N] with a
 *   small T, a readout layer with few classes. One thread per element of the long side keeps the
 *   whole narrow side in registers and streams its operand once.
 * - split-K: a small output and a long K — a weight gradient dW = dH·Xᵀ summed over many
 *   samples. Chunks of K are summed by separate workgroups into partial products, which a
 *   reduction then adds up (two dispatches).
 */

/** The narrow side's largest size: its accumulators live in registers. */
export const NARROW_MAX = 32;
const WORKGROUP = 64;
/** Long-side positions one narrow-kernel thread computes (a vec4 of them). */
const LONG_PER_THREAD = 4;
/** A split-K thread's output block: `rows` x 4·`colVecs`, read as rows + 4·colVecs operand values per K step. */
export interface SplitKBlock {
  readonly rows: number;
  readonly colVecs: number;
}
/**
 * 8 rows by up to 16 columns, no wider than the output: per K step 8 + 16 loads feed 128 products
 * where a 4 x 4 block's 8 feed 16. On lavapipe W2's dW = dH·Xᵀ ([32, 65536]·[65536, 32]) ran in
 * 13.6 ms against 45.5 for 4 x 4 and 21 for 8 x 8; an 8 x 8 output ran fastest with 8 x 8
 * (bench/kernel-tuning-notes.md, "Split-K blocks"). The block depends on N alone, a weight's size,
 * never on K (samples x steps), so another batch size keeps the kernel. Fewer than 8 rows (M < 8)
 * leave block rows idle: not measured, as no workload has such a product over a long K.
 */
export function splitKBlock(dims: MatmulDims): SplitKBlock {
  return { rows: 8, colVecs: Math.min(4, Math.ceil(dims.n / 4)) };
}


export interface MatmulDims {
  readonly batch: Shape;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** The logical sizes of `a @ b` with its transposes and broadcast batch dims. */
export function matmulDims(a: BufferBinding, b: BufferBinding, transposeA: boolean, transposeB: boolean): MatmulDims {
  const [aR, aC] = a.type.shape.slice(-2) as [number, number];
  const [bR, bC] = b.type.shape.slice(-2) as [number, number];
  const batch = broadcastShapes(a.type.shape.slice(0, -2), b.type.shape.slice(0, -2));
  if (batch === undefined) throw new Error(`internal: matmul batch dims of ${a.type.shape} and ${b.type.shape} do not broadcast`);
  return { batch, m: transposeA ? aC : aR, k: transposeA ? aR : aC, n: transposeB ? bR : bC };
}

/** WGSL reading element (row, col) of the logical (untransposed) operand from row-major storage at `<name>_base`, packed or not. */
function reader(binding: BufferBinding, transposed: boolean, rows: number, cols: number, sizes: KernelSizes): (row: string, col: string) => string {
  const stride = sizes.of(transposed ? rows : cols);
  return (row, col) => {
    const index = transposed ? `${col} * ${stride} + ${row}` : `${row} * ${stride} + ${col}`;
    return loadStored(binding, `${binding.name}_base + ${index}`);
  };
}

/** WGSL: `a_base` and `b_base`, the offsets of batch matrix `q`'s operands (broadcast batch dims read stride 0). */
export function batchBases(args: MatmulArgs, dims: MatmulDims, q: string, sizes: KernelSizes): string[] {
  const { a, b } = args;
  const base = (name: string, shape: readonly number[], matrix: number) => {
    const index = broadcastIndex(q, dims.batch, shape.slice(0, -2), sizes);
    return `let ${name}_base = ${index === '0u' ? '0u' : `(${index}) * ${sizes.of(matrix)}`};`;
  };
  return [base('a', a.type.shape, dims.m * dims.k), base('b', b.type.shape, dims.k * dims.n)];
}

/**
 * The narrow kernel: `narrow` is the side with at most NARROW_MAX elements ('m': few output rows,
 * 'n': few output columns). Thread (q, w) computes the narrow lines of the output at the
 * LONG_PER_THREAD positions first .. first + 3 of the long side as vec4s, so each value of the narrow
 * operand it loads feeds four products.
 */
export function matmulNarrowKernel(args: MatmulArgs, dims: MatmulDims, narrow: 'm' | 'n'): KernelSource {
  const { transposeA, transposeB } = args;
  const { m, k, n } = dims;
  const sizes = new KernelSizes();
  const [a, b, out] = [sizes.stepped(args.a), sizes.stepped(args.b), sizes.stepped(args.out)];
  const epilogue = epilogueCode(args.epilogue, sizes);
  const readA = reader(a, transposeA, m, k, sizes);
  const readB = reader(b, transposeB, k, n, sizes);
  const [small, long] = narrow === 'm' ? [m, n] : [n, m];
  const groups = Math.ceil(long / LONG_PER_THREAD);
  const total = sizeOf(dims.batch) * groups;
  const offsets = upTo(LONG_PER_THREAD);
  const [longS, groupsS, nS] = [sizes.of(long), sizes.of(groups), sizes.of(n)];
  // Positions past the long side's end read position 0 (in bounds) and are never stored. Always
  // guarded: the long side is often the batch, whose size must not change the kernel's text.
  const position = (x: number) => `select(0u, first + ${u(x)}, first + ${u(x)} < ${longS})`;
  // Along the long side: the long operand's value at (p, w), and the small one's at (s, p).
  const longValue = (w: string) => (narrow === 'm' ? readB('p', w) : readA(w, 'p'));
  const smallValue = (s: string) => (narrow === 'm' ? readA(s, 'p') : readB('p', s));
  const outIndex = (s: number, w: string) => (narrow === 'm' ? `${u(s)} * ${nS} + ${w}` : `${w} * ${nS} + ${u(s)}`);
  // One named accumulator per narrow element, unrolled: a loop over a private array would keep it in memory.
  const lanes = upTo(small);
  // Without a batch every thread reads the same narrow values at each step: with subgroups, lane l
  // loads values l, l + 8, ... and the subgroup shares them (codegen/subgroup-loads.ts). (With a
  // batch a subgroup could straddle two matrices.) Only whole subgroups may leave early then (a
  // broadcast reads every lane), so every store is guarded.
  const shared = sharesLoads(args.subgroupSize, WORKGROUP) && dims.batch.length === 0;
  const smallValues = shared
    ? [
        ...upTo(Math.ceil(small / SHARED_LOAD_WIDTH)).map((g) => `  let small${g} = ${smallValue(`min(${laneIndex('0u', g)}, ${u(small - 1)})`)};`),
        ...lanes.map((s) => `  let small_value${s} = ${fromLane((g) => `small${g}`, s)};`),
      ]
    : lanes.map((s) => `  let small_value${s} = ${smallValue(u(s))};`);
  const body = [
    `let flat = ${FLAT_WORKGROUP_INDEX} * ${u(WORKGROUP)} + lid;`,
    `if (flat${shared ? ` - ${SUBGROUP_LANE}` : ''} >= ${sizes.of(total)}) { return; }`,
    // Shared loads mean one matrix; a thread past the end must still load its share of it.
    shared ? 'let q = 0u;' : `let q = flat / ${groupsS};`,
    `let first = (flat % ${groupsS}) * ${u(LONG_PER_THREAD)};`,
    ...offsets.map((x) => `let w${x} = ${position(x)};`),
    ...batchBases(args, dims, 'q', sizes),
    `let out_base = q * ${sizes.of(m * n)};`,
    ...lanes.map((s) => `var acc${s} = vec4f(0.0);`),
    `for (var p = 0u; p < ${sizes.of(k)}; p++) {`,
    `  let v = vec4f(${offsets.map((x) => longValue(`w${x}`)).join(', ')});`,
    ...smallValues,
    ...lanes.map((s) => `  acc${s} += small_value${s} * v;`),
    '}',
    ...offsets.flatMap((x) => {
      const writes = lanes.map((s) => {
        const element = `out_base + ${outIndex(s, `w${x}`)}`;
        return `${out.name}[${bindingIndex(out, element)}] = ${epilogue.apply(element, `acc${s}[${x}]`)};`;
      });
      if (x === 0 && !shared) return writes;
      // A thread past the end (only with shared loads) wraps around to first = 0 and stores nothing.
      const guard = `${shared ? `flat < ${sizes.of(total)} && ` : ''}first + ${u(x)} < ${longS}`;
      return [`if (${guard}) {`, ...writes.map((l) => `  ${l}`), '}'];
    }),
  ];
  const bindings = sizes.bind([a, b, ...epilogue.bindings, out]);
  return { label: args.label, kind: 'matmul-narrow', ...computeModule(bindings, WORKGROUP, body, epilogue.functions, { subgroups: shared }), bindings, workgroups: dispatch2d(Math.ceil(total / WORKGROUP)), sizes: sizes.values };
}

/** How a split-K product divides K: `chunks` partial products of `chunkK` steps each (the last may be shorter). */
export interface SplitK {
  readonly chunks: number;
  readonly chunkK: number;
}

/**
 * Partial products of a split-K matmul: `partial` is [chunks, ...batch, M, N]; chunk c sums K
 * steps [c·chunkK, (c+1)·chunkK). Each thread owns one `block` of one batch matrix (see
 * splitKBlock) and sums its chunk in K order.
 */
export function matmulSplitKKernel(args: MatmulArgs, dims: MatmulDims, split: SplitK, partial: BufferBinding, block: SplitKBlock): KernelSource {
  const { transposeA, transposeB } = args;
  const { m, k, n } = dims;
  const sizes = new KernelSizes();
  const [a, b] = [sizes.stepped(args.a), sizes.stepped(args.b)];
  const readA = reader(a, transposeA, m, k, sizes);
  const readB = reader(b, transposeB, k, n, sizes);
  const blockN = 4 * block.colVecs;
  const blocksN = Math.ceil(n / blockN);
  const blocksPerMatrix = Math.ceil(m / block.rows) * blocksN;
  const batchCount = sizeOf(dims.batch);
  const total = split.chunks * batchCount * blocksPerMatrix;
  const rows = upTo(block.rows);
  const cols = upTo(blockN);
  const vecs = upTo(block.colVecs);
  const [mS, nS, blocksS, blocksNS, batchS, chunkS] = [sizes.of(m), sizes.of(n), sizes.of(blocksPerMatrix), sizes.of(blocksN), sizes.of(batchCount), sizes.of(split.chunkK)];
  // Rows and columns past the edge read index 0 (always in bounds) and are never stored; always
  // guarded, so the kernel's text does not depend on the sizes.
  const clamp = (index: string, limit: string, x: number) => `select(0u, ${index} + ${u(x)}, ${index} + ${u(x)} < ${limit})`;
  const body = [
    `let flat = ${FLAT_WORKGROUP_INDEX} * ${u(WORKGROUP)} + lid;`,
    `if (flat >= ${sizes.of(total)}) { return; }`,
    `let block = flat % ${blocksS};`,
    `let q = (flat / ${blocksS}) % ${batchS};`,
    `let c = flat / (${blocksS} * ${batchS});`,
    `let row0 = (block / ${blocksNS}) * ${u(block.rows)};`,
    `let col0 = (block % ${blocksNS}) * ${u(blockN)};`,
    ...rows.map((x) => `let i${x} = ${clamp('row0', mS, x)};`),
    ...cols.map((y) => `let j${y} = ${clamp('col0', nS, y)};`),
    ...batchBases(args, dims, 'q', sizes),
    ...rows.flatMap((x) => vecs.map((v) => `var acc${x}_${v} = vec4f(0.0);`)),
    `let k_end = min(${sizes.of(k)}, (c + 1u) * ${chunkS});`,
    `for (var p = c * ${chunkS}; p < k_end; p++) {`,
    ...vecs.map((v) => `  let b${v} = vec4f(${upTo(4).map((y) => readB('p', `j${4 * v + y}`)).join(', ')});`),
    ...rows.map((x) => `  let a${x} = ${readA(`i${x}`, 'p')};`),
    ...rows.flatMap((x) => vecs.map((v) => `  acc${x}_${v} += a${x} * b${v};`)),
    '}',
    `let out_base = (c * ${batchS} + q) * ${sizes.of(m * n)};`,
    ...rows.flatMap((x) =>
      cols.map((y) => `if (row0 + ${u(x)} < ${mS} && col0 + ${u(y)} < ${nS}) { ${partial.name}[out_base + (row0 + ${u(x)}) * ${nS} + col0 + ${u(y)}] = acc${x}_${y >> 2}[${y % 4}]; }`),
    ),
  ];
  const bindings = sizes.bind([a, b, partial]);
  return { label: args.label, kind: 'matmul-split-k', ...computeModule(bindings, WORKGROUP, body), bindings, workgroups: dispatch2d(Math.ceil(total / WORKGROUP)), sizes: sizes.values };
}

/** Threads worth aiming a split-K dispatch at: enough to fill a GPU, few enough that partial sums stay small. */
const SPLIT_K_THREADS = 16384;
/** The shortest chunk of K worth a thread of its own. */
const MIN_CHUNK_K = 256;

/** A split of K that gives about SPLIT_K_THREADS threads, each summing at least MIN_CHUNK_K steps. */
export function chooseSplitK(dims: MatmulDims, block: SplitKBlock): SplitK {
  const blocks = Math.ceil(dims.m / block.rows) * Math.ceil(dims.n / (4 * block.colVecs)) * sizeOf(dims.batch);
  const wanted = Math.max(1, Math.min(Math.ceil(dims.k / MIN_CHUNK_K), Math.floor(SPLIT_K_THREADS / blocks)));
  const chunkK = Math.ceil(dims.k / wanted);
  return { chunks: Math.ceil(dims.k / chunkK), chunkK };
}
