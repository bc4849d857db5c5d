import { broadcastShapes, sizeOf } from '@spikeflow/core';
import { broadcastIndex } from './indexing.js';
import { bindingIndex, computeModule, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, u, upTo, type BufferBinding, type KernelSource } from './kernel-source.js';
import type { MatmulEpilogue } from './matmul-epilogue.js';

/** The tiled kernel is the measurement baseline only: it keeps its sizes baked in. */
const BAKED = new KernelSizes(true);

export interface MatmulArgs {
  readonly label: string;
  /** `[...batch, M, K]`, or `[..., K, M]` read transposed. */
  readonly a: BufferBinding;
  /** `[...batch, K, N]`, or `[..., N, K]` read transposed. */
  readonly b: BufferBinding;
  /** `[...broadcast batch, M, N]`. */
  readonly out: BufferBinding;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** An elementwise group computed in the stores (the register-blocked and narrow kernels only). */
  readonly epilogue?: MatmulEpilogue;
  /** The device's verified subgroup width (CompileLimits.subgroupSize): kernels that can share loads across a subgroup do (codegen/subgroup-loads.ts). */
  readonly subgroupSize?: number;
}

/**
 * How the output is tiled: a workgroup of threadsM x threadsN threads computes a tileM x tileN
 * block, staging tileK-deep slices of both operands in workgroup memory as vec4s of 4 rows (A)
 * and 4 columns (B). Each thread owns (tileM / threadsM) x (tileN / threadsN) outputs made of
 * 4 x 4 blocks spaced threadsM / threadsN vec4s apart.
 */
export interface MatmulTiling {
  readonly tileM: number;
  readonly tileN: number;
  readonly tileK: number;
  readonly threadsM: number;
  readonly threadsN: number;
}

/**
 * Big per-thread blocks (8 x 8) win because barriers cost about half the time whatever their
 * count; K 8 halves the unrolled code compiled at the first dispatch; the 128 tile fills the
 * 16 KiB of workgroup memory every device has, so it is kept for products with many workgroups.
 * Measurements: BENCHMARKS.md, "Kernel tuning notes".
 */
export const MATMUL_TILING: MatmulTiling = { tileM: 64, tileN: 64, tileK: 8, threadsM: 8, threadsN: 8 };
export const MATMUL_TILING_LARGE: MatmulTiling = { tileM: 128, tileN: 128, tileK: 16, threadsM: 16, threadsN: 16 };

/** The large tiling once it still gives 64 workgroups (a GPU needs dozens to fill its cores). */
function chooseTiling(m: number, n: number, batch: number): MatmulTiling {
  return Math.ceil(m / 128) * Math.ceil(n / 128) * batch >= 64 ? MATMUL_TILING_LARGE : MATMUL_TILING;
}

const times = (expr: string, n: number) => (n === 1 ? expr : `${expr} * ${u(n)}`);

/**
 * Batched `[..., M, K] @ [..., K, N]` with numpy-broadcast batch dims (stride 0 on a broadcast
 * axis) and transposed operands read in place. One workgroup per output tile of one batch
 * matrix; shapes are constants, and bounds checks are emitted only where a size is not a
 * multiple of its tile.
 */
export function matmulKernel(args: MatmulArgs, tiling?: MatmulTiling): KernelSource {
  const { a, b, out, transposeA, transposeB } = args;
  const [aR, aC] = a.type.shape.slice(-2) as [number, number];
  const [bR, bC] = b.type.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [aC, aR] : [aR, aC];
  const n = transposeB ? bR : bC;
  const batch = broadcastShapes(a.type.shape.slice(0, -2), b.type.shape.slice(0, -2));
  if (batch === undefined) throw new Error(`internal: matmul batch dims of ${a.type.shape} and ${b.type.shape} do not broadcast`);
  const { tileM, tileN, tileK, threadsM, threadsN } = tiling ?? chooseTiling(m, n, sizeOf(batch));
  const threads = threadsM * threadsN;
  // Per thread: rowVecs x colVecs blocks of 4 x 4 outputs.
  const rowVecs = tileM / 4 / threadsM;
  const colVecs = tileN / 4 / threadsN;
  if (![rowVecs, colVecs, ((tileM / 4) * tileK) / threads, ((tileN / 4) * tileK) / threads].every(Number.isInteger)) {
    throw new Error(`internal: matmul tiling ${tileM}x${tileN}x${tileK} on ${threadsM}x${threadsN} threads does not split into 4 x 4 blocks and whole loads`);
  }
  const tilesN = Math.ceil(n / tileN);
  const tilesPerMatrix = Math.ceil(m / tileM) * tilesN;
  const total = tilesPerMatrix * sizeOf(batch);

  /**
   * Stages operand `op` into tile_<op>[p][s / 4] (s: its row i for A, column j for B), walking
   * its contiguous axis fastest so consecutive threads read consecutive addresses.
   */
  const stage = (op: 'a' | 'b') => {
    const binding = op === 'a' ? a : b;
    const [tile, limit, origin] = op === 'a' ? [tileM, m, 'row0'] : [tileN, n, 'col0'];
    // Stored [span, K] (contiguous along K) for plain A and transposed B, else [K, span].
    const alongK = op === 'a' ? !transposeA : transposeB;
    const [spanStride, kStride] = alongK ? [k, 1] : [1, limit];
    const [fast, fastSize, slow] = alongK ? ['p', tileK, 'sv'] : ['sv', tile / 4, 'p'];
    const element = (x: number) => {
      const s = x === 0 ? 's' : `s + ${u(x)}`;
      const index = `${op}_base + ${times(x === 0 ? s : `(${s})`, spanStride)} + ${times('gp', kStride)}`;
      const read = loadStored(binding, index);
      const guards = [...(limit % tile === 0 ? [] : [`${s} < ${u(limit)}`]), ...(k % tileK === 0 ? [] : [`gp < ${u(k)}`])];
      return guards.length === 0 ? read : `select(0.0, ${read}, ${guards.join(' && ')})`;
    };
    return [
      `for (var l = 0u; l < ${u(((tile / 4) * tileK) / threads)}; l++) {`,
      `  let e = lid + l * ${u(threads)};`,
      `  let ${fast} = e % ${u(fastSize)};`,
      `  let ${slow} = e / ${u(fastSize)};`,
      `  let s = ${origin} + 4u * sv;`,
      `  let gp = k0 + p;`,
      `  tile_${op}[p * ${u(tile / 4)} + sv] = vec4f(${upTo(4).map(element).join(', ')});`,
      '}',
    ];
  };

  // acc[(4r + x) * colVecs + v] holds row 4(tr + r·threadsM) + x, columns 4(tc + v·threadsN) .. + 3.
  const accumulate = upTo(rowVecs).flatMap((r) => [
    `let a${r} = tile_a[p * ${u(tileM / 4)} + tr${r === 0 ? '' : ` + ${u(r * threadsM)}`}];`,
    ...upTo(4).flatMap((x) => upTo(colVecs).map((v) => `acc[${(4 * r + x) * colVecs + v}] += a${r}[${x}] * b${v};`)),
  ]);
  const storeGuards = [...(m % tileM === 0 ? [] : [`i < ${u(m)}`]), ...(n % tileN === 0 ? [] : [`j < ${u(n)}`])];
  const write = `${out.name}[${bindingIndex(out, `out_base + i * ${u(n)} + j`)}] = acc[row * ${u(colVecs)} + v][c];`;

  const bindings = [a, b, out];
  const body = [
    `let flat = ${FLAT_WORKGROUP_INDEX};`,
    `if (flat >= ${u(total)}) { return; }`,
    `let q = flat / ${u(tilesPerMatrix)};`,
    `let tile = flat % ${u(tilesPerMatrix)};`,
    `let row0 = (tile / ${u(tilesN)}) * ${u(tileM)};`,
    `let col0 = (tile % ${u(tilesN)}) * ${u(tileN)};`,
    `let a_base = (${broadcastIndex('q', batch, a.type.shape.slice(0, -2), BAKED)}) * ${u(m * k)};`,
    `let b_base = (${broadcastIndex('q', batch, b.type.shape.slice(0, -2), BAKED)}) * ${u(k * n)};`,
    `let out_base = q * ${u(m * n)};`,
    `let tr = lid / ${u(threadsN)};`,
    `let tc = lid % ${u(threadsN)};`,
    `var acc: array<vec4f, ${4 * rowVecs * colVecs}>;`,
    `for (var k0 = 0u; k0 < ${u(k)}; k0 += ${u(tileK)}) {`,
    ...stage('a').map((l) => `  ${l}`),
    ...stage('b').map((l) => `  ${l}`),
    '  workgroupBarrier();',
    `  for (var p = 0u; p < ${u(tileK)}; p++) {`,
    ...upTo(colVecs).map((v) => `    let b${v} = tile_b[p * ${u(tileN / 4)} + tc${v === 0 ? '' : ` + ${u(v * threadsN)}`}];`),
    ...accumulate.map((l) => `    ${l}`),
    '  }',
    '  workgroupBarrier();',
    '}',
    `for (var row = 0u; row < ${u(4 * rowVecs)}; row++) {`,
    `  let i = row0 + 4u * (tr + (row / 4u) * ${u(threadsM)}) + row % 4u;`,
    `  for (var v = 0u; v < ${u(colVecs)}; v++) {`,
    '    for (var c = 0u; c < 4u; c++) {',
    `      let j = col0 + 4u * (tc + v * ${u(threadsN)}) + c;`,
    `      ${storeGuards.length === 0 ? write : `if (${storeGuards.join(' && ')}) { ${write} }`}`,
    '    }',
    '  }',
    '}',
  ];
  const { code, usesStep } = computeModule(bindings, threads, body, [
    `var<workgroup> tile_a: array<vec4f, ${(tileK * tileM) / 4}>;`,
    `var<workgroup> tile_b: array<vec4f, ${(tileK * tileN) / 4}>;`,
  ]);
  return { label: args.label, kind: 'matmul', code, bindings, workgroups: dispatch2d(total), usesStep };
}
