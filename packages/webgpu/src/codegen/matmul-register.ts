import { sizeOf } from '@spikeflow/core';
import { batchBases, type MatmulDims } from './matmul-skinny.js';
import { bindingIndex, computeModule, SUBGROUP_LANE, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, u, upTo, vec4Index, vec4Viewable, type BufferBinding, type KernelSource } from './kernel-source.js';
import type { MatmulArgs } from './matmul.js';
import { epilogueCode } from './matmul-epilogue.js';
import { fromLane, SHARED_LOAD_WIDTH, sharesLoads } from './subgroup-loads.js';

/**
 * The register-blocked matmul: no workgroup memory and no barriers (lavapipe, the software device
 * the project measures on, spends about half of the tiled kernel's time in barriers). Each thread
 * computes a REGISTER_ROWS x 8 block of one batch matrix, 8 columns as 2 vec4s, with the
 * accumulators in registers; per K step it reads REGISTER_ROWS values of A and 8 of B. Operands
 * are read as vec4s where their contiguous axis lies along the vectorised one (B and the output
 * along N, a transposed A along M) and is a multiple of 4, else as scalars; rows and columns
 * past the edge read the last row or column and are never stored. Every size comes from the
 * size table; which operands are vec4 views is the kernel's shape class.
 * Measurements: BENCHMARKS.md, "Kernel tuning notes".
 */
export const REGISTER_ROWS = 8;
const COL_VECS = 2;

/** A workgroup's threads along M and N; each thread owns one REGISTER_ROWS x 8 block. */
export interface RegisterTiling {
  readonly threadsM: number;
  readonly threadsN: number;
}

/**
 * 8 x 8 threads (a 64 x 64 output tile): neighbouring threads share the rows of A and columns of B
 * they read from cache. 8 x 32 and 16 x 16 threads measured within noise of it (BENCHMARKS.md,
 * "Kernel tuning notes").
 */
export const REGISTER_TILING: RegisterTiling = { threadsM: 8, threadsN: 8 };

/** Which operands a register-blocked matmul of these sizes reads (or writes) as vec4s. */
export interface RegisterViews {
  readonly a: boolean;
  readonly b: boolean;
  readonly out: boolean;
}

/** The vec4 views the kernel can use: B (untransposed) and the output along N, a transposed A along M. */
export function registerViews(args: MatmulArgs, dims: MatmulDims): RegisterViews {
  return {
    a: args.transposeA && args.a.type.dtype === 'f32' && vec4Viewable(args.a, dims.m),
    b: !args.transposeB && args.b.type.dtype === 'f32' && vec4Viewable(args.b, dims.n),
    out: vec4Viewable(args.out, dims.n),
  };
}

export function matmulRegisterKernel(args: MatmulArgs, dims: MatmulDims, tiling?: RegisterTiling): KernelSource {
  const { m, k, n } = dims;
  const { threadsM, threadsN } = tiling ?? REGISTER_TILING;
  const [tileM, tileN] = [REGISTER_ROWS * threadsM, 4 * COL_VECS * threadsN];
  const views = registerViews(args, dims);
  const sizes = new KernelSizes();
  const a: BufferBinding = sizes.stepped(views.a ? { ...args.a, vec4: true } : args.a);
  const b: BufferBinding = sizes.stepped(views.b ? { ...args.b, vec4: true } : args.b);
  const out: BufferBinding = sizes.stepped(views.out ? { ...args.out, vec4: true } : args.out);
  const epilogue = epilogueCode(args.epilogue, sizes);
  const tilesN = Math.ceil(n / tileN);
  const tilesPerMatrix = Math.ceil(m / tileM) * tilesN;
  const total = tilesPerMatrix * sizeOf(dims.batch);
  const rows = upTo(REGISTER_ROWS);
  const vecs = upTo(COL_VECS);
  const cols = upTo(4 * COL_VECS);
  const [mS, kS, nS] = [sizes.of(m), sizes.of(k), sizes.of(n)];
  const [m4, n4] = [views.a ? sizes.of(m / 4) : '', views.b || views.out ? sizes.of(n / 4) : ''];
  // Indices clamped into the matrix. Always: a size that is not a multiple of the block (a batch
  // of 17) must not change the kernel's text; the clamps are loop-invariant.
  const clamp = (first: string, x: number | string, size: string) => `min(${first} + ${typeof x === 'number' ? u(x) : x}, ${size} - 1u)`;
  // The threadsN threads of a row of threads read the same REGISTER_ROWS values of A per step: with
  // subgroups that wide, lane l loads row l (as vec4s, lanes 0 and 1 load rows 0-3 and 4-7, the
  // others repeat them) and the subgroup shares them (codegen/subgroup-loads.ts).
  const shared = sharesLoads(args.subgroupSize, threadsM * threadsN) && REGISTER_ROWS === SHARED_LOAD_WIDTH && threadsN % SHARED_LOAD_WIDTH === 0;

  const aValues = (): string[] => {
    if (views.a && shared) {
      return [
        `let av_lane = ${a.name}[${vec4Index(a, `a_base / 4u + p * ${m4} + ${clamp('row0 / 4u', `(${SUBGROUP_LANE} & ${u(REGISTER_ROWS / 4 - 1)})`, m4)}`)}];`,
        ...upTo(REGISTER_ROWS / 4).flatMap((g) => [`let av${g} = subgroupBroadcast(av_lane, ${u(g)});`, ...upTo(4).map((x) => `let a${4 * g + x} = av${g}[${x}];`)]),
      ];
    }
    if (views.a) {
      // Transposed A is [K, M]: rows i0 .. i0 + 3 at step p are one vec4.
      return upTo(REGISTER_ROWS / 4).flatMap((g) => [
        `let av${g} = ${a.name}[${vec4Index(a, `a_base / 4u + p * ${m4} + ${clamp('row0 / 4u', g, m4)}`)}];`,
        ...upTo(4).map((x) => `let a${4 * g + x} = av${g}[${x}];`),
      ]);
    }
    const index = (i: string) => (args.transposeA ? `p * ${mS} + ${i}` : `${i} * ${kS} + p`);
    if (shared) return [`let a_lane = ${loadStored(a, `a_base + ${index('i_lane')}`)};`, ...rows.map((r) => `let a${r} = ${fromLane(() => 'a_lane', r)};`)];
    return rows.map((r) => `let a${r} = ${loadStored(a, `a_base + ${index(`i${r}`)}`)};`);
  };
  const bValues = (): string[] => {
    if (views.b) return vecs.map((v) => `let b${v} = ${b.name}[${vec4Index(b, `b_base / 4u + p * ${n4} + ${clamp('col0 / 4u', v, n4)}`)}];`);
    const index = (c: number) => (args.transposeB ? `j${c} * ${kS} + p` : `p * ${nS} + j${c}`);
    return vecs.map((v) => `let b${v} = vec4f(${upTo(4).map((x) => loadStored(b, `b_base + ${index(4 * v + x)}`)).join(', ')});`);
  };
  const stores = rows.flatMap((r) => {
    const rowGuard = `row0 + ${u(r)} < ${mS}`;
    return vecs.flatMap((v) => {
      const element = (x: number) => `out_base + (row0 + ${u(r)}) * ${nS} + col0 + ${u(4 * v + x)}`;
      if (views.out) {
        const value = args.epilogue === undefined ? `acc${r}_${v}` : `vec4f(${upTo(4).map((x) => epilogue.apply(element(x), `acc${r}_${v}[${x}]`)).join(', ')})`;
        const write = `${out.name}[${vec4Index(out, `(out_base + (row0 + ${u(r)}) * ${nS} + col0) / 4u + ${u(v)}`)}] = ${value};`;
        return [`if (${rowGuard} && col0 + ${u(4 * v)} < ${nS}) { ${write} }`];
      }
      return upTo(4).map((x) => {
        const write = `${out.name}[${bindingIndex(out, element(x))}] = ${epilogue.apply(element(x), `acc${r}_${v}[${x}]`)};`;
        return `if (${rowGuard} && col0 + ${u(4 * v + x)} < ${nS}) { ${write} }`;
      });
    });
  });
  const tilesS = sizes.of(tilesPerMatrix);
  const tilesNS = sizes.of(tilesN);
  const body = [
    `let flat = ${FLAT_WORKGROUP_INDEX};`,
    `if (flat >= ${sizes.of(total)}) { return; }`,
    `let q = flat / ${tilesS};`,
    `let tile = flat % ${tilesS};`,
    `let row0 = (tile / ${tilesNS}) * ${u(tileM)} + (lid / ${u(threadsN)}) * ${u(REGISTER_ROWS)};`,
    `let col0 = (tile % ${tilesNS}) * ${u(tileN)} + (lid % ${u(threadsN)}) * ${u(4 * COL_VECS)};`,
    // Threads wholly past the edge of a ragged tile have nothing to store. With shared loads only
    // whole subgroups leave (the threads of one share row0), as a broadcast reads every lane; the
    // others' clamped indices stay in the matrix.
    shared ? `if (row0 >= ${mS}) { return; }` : `if (row0 >= ${mS} || col0 >= ${nS}) { return; }`,
    ...batchBases(args, dims, 'q', sizes),
    `let out_base = q * ${sizes.of(m * n)};`,
    ...(views.a ? [] : shared ? [`let i_lane = ${clamp('row0', SUBGROUP_LANE, mS)};`] : rows.map((r) => `let i${r} = ${clamp('row0', r, mS)};`)),
    ...(views.b ? [] : cols.map((c) => `let j${c} = ${clamp('col0', c, nS)};`)),
    ...rows.flatMap((r) => vecs.map((v) => `var acc${r}_${v} = vec4f(0.0);`)),
    `for (var p = 0u; p < ${kS}; p++) {`,
    ...bValues().map((l) => `  ${l}`),
    ...aValues().map((l) => `  ${l}`),
    ...rows.flatMap((r) => vecs.map((v) => `  acc${r}_${v} += a${r} * b${v};`)),
    '}',
    ...stores,
  ];
  const bindings = sizes.bind([a, b, ...epilogue.bindings, out]);
  return { label: args.label, kind: 'matmul-register', ...computeModule(bindings, threadsM * threadsN, body, epilogue.functions, { subgroups: shared }), bindings, workgroups: dispatch2d(total), sizes: sizes.values };
}
