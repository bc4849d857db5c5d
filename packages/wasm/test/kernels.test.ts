import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnNodeWorker } from '../src/node.js';
import { WasmKernels, type MatmulTiling } from '../src/index.js';
import { matmulF32InKernelOrder, matmulF64, randomFloats } from './reference.js';

const SHAPES: readonly [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 8, 8],
  [65, 33, 129],
  [7, 300, 9],
  [17, 513, 16],
  [2, 1, 31],
];

/**
 * Tolerance against the float64 product: the kernel rounds each product and each sum to float32,
 * so |c - exact| ≤ γ_k · Σ|a_ik·b_kj| with γ_k = k·u/(1 - k·u), u = 2^-24 (Higham, Thm 3.1, for
 * any summation order). The kernel-order float32 reference is matched bit for bit.
 */
function expectMatmul(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number, kBlock: number): void {
  expect(c).toEqual(matmulF32InKernelOrder(a, b, m, k, n, kBlock));
  const { c: exact, magnitude } = matmulF64(a, b, m, k, n);
  const u = 2 ** -24;
  const gamma = (k * u) / (1 - k * u);
  let worst = 0;
  for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(c[i]! - exact[i]!) - gamma * magnitude[i]!);
  expect(worst).toBeLessThanOrEqual(0);
}

function runMatmul(kernels: WasmKernels, m: number, k: number, n: number, seed: number): { a: Float32Array; b: Float32Array; c: Float32Array } {
  const mark = kernels.mark();
  const a = randomFloats(m * k, seed);
  const b = randomFloats(k * n, seed + 1);
  const wa = kernels.f32(a);
  const wb = kernels.f32(b);
  const wc = kernels.f32(randomFloats(m * n, seed + 2)); // garbage in C: the kernel must overwrite, not accumulate
  kernels.matmul(wa, wb, wc, m, k, n);
  const c = wc.array.slice();
  kernels.release(mark);
  return { a, b, c };
}

describe.each([1, 2])('WasmKernels on %i thread(s)', (threads) => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await WasmKernels.create({ threads, spawn: spawnNodeWorker, maximumPages: 1024 });
  });
  afterAll(() => kernels.destroy());

  it.each(SHAPES)('matmul (m, k, n) = (%i, %i, %i) matches the float32 reference bit for bit and the float64 one within γ_k', (m, k, n) => {
    const { a, b, c } = runMatmul(kernels, m, k, n, m * 1000 + k * 10 + n);
    expectMatmul(c, a, b, m, k, n, kernels.tiling.kBlock);
  });

  it('scale, add and mul match float32 arithmetic exactly, tails included', () => {
    for (const length of [0, 1, 3, 4, 5, 37, 1001]) {
      const mark = kernels.mark();
      const x = randomFloats(length, length + 7);
      const y = randomFloats(length, length + 8);
      const wx = kernels.f32(x);
      const wy = kernels.f32(y);
      const out = kernels.f32(length);
      kernels.scale(wx, out, 0.3);
      expect(out.array).toEqual(x.map((v) => Math.fround(Math.fround(0.3) * v)));
      kernels.add(wx, wy, out);
      expect(out.array).toEqual(x.map((v, i) => Math.fround(v + y[i]!)));
      kernels.mul(wx, wy, wy); // in place
      expect(wy.array).toEqual(x.map((v, i) => Math.fround(v * y[i]!)));
      kernels.release(mark);
    }
  });

  it('rejects mismatched sizes with one clear error', () => {
    const a = kernels.f32(6);
    const b = kernels.f32(6);
    const c = kernels.f32(5);
    expect(() => kernels.matmul(a, b, c, 2, 3, 2)).toThrow('matmul: c has 5 floats, not 2 × 2 = 4');
    expect(() => kernels.matmul(a, b, c, 2, 0, 2)).toThrow('matmul: k = 0 is not a positive integer');
    expect(() => kernels.add(a, b, c)).toThrow('add: out has 5 floats, x has 6');
    const square = kernels.f32(4);
    expect(() => kernels.matmul(square, kernels.f32(4), square, 2, 2, 2)).toThrow('matmul: c overlaps a; the product needs its own array');
  });
});

describe('matmul tilings', () => {
  const tilings: MatmulTiling[] = [
    { rows: 6, vectors: 2, kBlock: 64, mBlock: 12 },
    { rows: 1, vectors: 1, kBlock: 3, mBlock: 5 },
    { rows: 4, vectors: 3, kBlock: 128, mBlock: 8 },
    { rows: 2, vectors: 4, kBlock: 256, mBlock: 64 },
  ];
  it.each(tilings)('rows $rows × vectors $vectors, kBlock $kBlock, mBlock $mBlock: every shape matches the references', async (tiling) => {
    const kernels = await WasmKernels.create({ tiling, maximumPages: 1024 });
    try {
      for (const [m, k, n] of SHAPES) {
        const { a, b, c } = runMatmul(kernels, m, k, n, m + k + n);
        expectMatmul(c, a, b, m, k, n, tiling.kBlock);
      }
    } finally {
      await kernels.destroy();
    }
  });

  it('rejects a tiling it cannot generate', async () => {
    await expect(WasmKernels.create({ tiling: { rows: 4, vectors: 2, kBlock: 256, mBlock: 6 } })).rejects.toThrow(/mBlock a multiple of rows/);
    await expect(WasmKernels.create({ tiling: { rows: 0, vectors: 2, kBlock: 256, mBlock: 8 } })).rejects.toThrow(/must be positive integers/);
  });
});

describe('the shared memory', () => {
  it('grows on demand up to its maximum, refuses more with one clear error, and frees to a mark', async () => {
    const kernels = await WasmKernels.create({ maximumPages: 4 });
    try {
      expect(kernels.memory.buffer.byteLength).toBe(65536);
      const mark = kernels.mark();
      const big = kernels.f32(40_000); // 160,000 bytes after the first 16: three pages; a second would end at 320,016 bytes, in page 5
      expect(kernels.memory.buffer.byteLength).toBe(3 * 65536);
      big.array.fill(2);
      kernels.scale(big, big, 0.5);
      expect(big.array.every((v) => v === 1)).toBe(true);
      expect(() => kernels.f32(40_000)).toThrow(/alloc: 160000 bytes would need 5 pages of wasm memory, more than its maximum of 4/);
      kernels.release(mark);
      expect(kernels.f32(40_000).ptr).toBe(big.ptr);
    } finally {
      await kernels.destroy();
    }
    await expect(WasmKernels.create({ maximumPages: 40_000 })).rejects.toThrow('maximumPages: 40000 is not an integer in 1..32768');
  });
});

describe('two threads and one', () => {
  it('give identical matmul results on every shape', async () => {
    const one = await WasmKernels.create({ threads: 1, maximumPages: 1024 });
    const two = await WasmKernels.create({ threads: 2, spawn: spawnNodeWorker, maximumPages: 1024 });
    try {
      for (const [m, k, n] of [...SHAPES, [130, 70, 50] as [number, number, number]]) {
        expect(runMatmul(two, m, k, n, 5).c).toEqual(runMatmul(one, m, k, n, 5).c);
      }
    } finally {
      await Promise.all([one.destroy(), two.destroy()]);
    }
  });
});
