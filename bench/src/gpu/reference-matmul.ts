/**
 * The baseline spikeflow's matmul is measured against: the textbook shared-memory tiled WGSL
 * matmul for square n x n fp32 (n a multiple of the tile), in its usual sizes. A 16 x 16
 * workgroup stages a TILE x TK slice of A and a TK x TILE slice of B in workgroup memory, and
 * each thread accumulates an R x R block of C (R = TILE / 16, rows and columns 16 apart so that
 * neighbouring threads touch neighbouring addresses). The R x R block is written out statement by
 * statement, so the accumulators stay in registers (a loop over a private array would not).
 */
export interface TiledMatmul {
  readonly name: string;
  readonly tile: number;
  readonly tk: number;
}

export const REFERENCE_MATMULS: readonly TiledMatmul[] = [
  { name: 'tiled 16x16, 1 output/thread', tile: 16, tk: 16 },
  { name: 'tiled 32x32, 2x2 outputs/thread', tile: 32, tk: 16 },
  { name: 'tiled 64x64, 4x4 outputs/thread', tile: 64, tk: 16 },
  { name: 'tiled 128x128, 8x8 outputs/thread', tile: 128, tk: 16 },
];

const THREADS = 16;

export function tiledMatmulWgsl({ tile, tk }: TiledMatmul, n: number): string {
  if (n % tile !== 0 || tile % THREADS !== 0) throw new Error(`reference matmul: n = ${n} is not a multiple of the ${tile} tile`);
  const r = tile / THREADS;
  const block = Array.from({ length: r }, (_, i) => i);
  const accumulate = block.flatMap((i) => [
    `      let a${i} = tileA[(lid.y + ${i * THREADS}u) * TK + k];`,
    ...block.map((j) => `      acc${i}_${j} += a${i} * b${j};`),
  ]);
  return `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
const N = ${n}u;
const TILE = ${tile}u;
const TK = ${tk}u;
const THREADS = ${THREADS}u;
var<workgroup> tileA: array<f32, ${tile * tk}>;
var<workgroup> tileB: array<f32, ${tk * tile}>;

@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let thread = lid.y * THREADS + lid.x;
${block.flatMap((i) => block.map((j) => `  var acc${i}_${j} = 0.0;`)).join('\n')}
  for (var k0 = 0u; k0 < N; k0 += TK) {
    for (var e = thread; e < TILE * TK; e += THREADS * THREADS) {
      tileA[e] = a[(row0 + e / TK) * N + k0 + e % TK];
      tileB[e] = b[(k0 + e / TILE) * N + col0 + e % TILE];
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
${block.map((j) => `      let b${j} = tileB[k * TILE + lid.x + ${j * THREADS}u];`).join('\n')}
${accumulate.join('\n')}
    }
    workgroupBarrier();
  }
${block.flatMap((i) => block.map((j) => `  c[(row0 + lid.y + ${i * THREADS}u) * N + col0 + lid.x + ${j * THREADS}u] = acc${i}_${j};`)).join('\n')}
}
`;
}

/** Workgroups of one n x n product. */
export function tiledMatmulWorkgroups({ tile }: TiledMatmul, n: number): [number, number, number] {
  return [n / tile, n / tile, 1];
}
