// The narrow and split-K matmul kernels, chosen by the compiler for skinny products, against the CPU.
import type { Shape } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseSplitK, matmulDims, splitKBlock } from '../src/codegen/matmul-skinny.js';
import { matmulStrategy } from '../src/compiler/matmul-steps.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { runMatmulCase, type MatmulCase } from './support/matmul-case.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the skinny matmul tests');

interface Case extends MatmulCase {
  readonly kernel: 'matmul-narrow' | 'matmul-split-k' | 'matmul-register';
}

const cases: [string, Case][] = [
  ['few rows: PSN-like W [8,8] @ X [8,1000]', { a: [8, 8], b: [8, 1000], kernel: 'matmul-narrow' }],
  ['few rows, both transposed [16,8]ᵀ @ [1000,16]ᵀ', { a: [16, 8], b: [1000, 16], transposeA: true, transposeB: true, kernel: 'matmul-narrow' }],
  ['few columns: readout [700,20] @ [20,10]', { a: [700, 20], b: [20, 10], kernel: 'matmul-narrow' }],
  ['few rows, long side not a multiple of 4 [6,8] @ [8,1001]', { a: [6, 8], b: [8, 1001], kernel: 'matmul-narrow' }],
  ['few columns, long side not a multiple of 4, transposed A [20,703]ᵀ @ [20,3]', { a: [20, 703], b: [20, 3], transposeA: true, kernel: 'matmul-narrow' }],
  ['few columns, transposed B [600,33] @ [3,33]ᵀ', { a: [600, 33], b: [3, 33], transposeB: true, kernel: 'matmul-narrow' }],
  ['few rows, broadcast batch [3,1,5,12] @ [1,2,12,300]', { a: [3, 1, 5, 12], b: [1, 2, 12, 300], kernel: 'matmul-narrow' }],
  ['split-K: dW = dH Xᵀ [8,5000] @ [8,5000]ᵀ (K not a multiple of the chunk)', { a: [8, 5000], b: [8, 5000], transposeB: true, kernel: 'matmul-split-k' }],
  ['split-K, ragged blocks [10,3000] @ [3000,6]', { a: [10, 3000], b: [3000, 6], kernel: 'matmul-split-k' }],
  ['split-K, transposed A, batched [2,2048,5]ᵀ @ [2,2048,7]', { a: [2, 2048, 5], b: [2, 2048, 7], transposeA: true, kernel: 'matmul-split-k' }],
  ['split-K, 64 x 64 output [64,1100] @ [1100,64]', { a: [64, 1100], b: [1100, 64], kernel: 'matmul-split-k' }],
  ["split-K, a first layer's dW: transposed A, ragged rows [1400,28]ᵀ @ [1400,256]", { a: [1400, 28], b: [1400, 256], transposeA: true, kernel: 'matmul-split-k' }],
  ['split-K, 8 x 8 output: one block narrower than 16 columns [8,4100] @ [8,4100]ᵀ', { a: [8, 4100], b: [8, 4100], transposeB: true, kernel: 'matmul-split-k' }],
  ['split-K, W2-like dW over T = 32 [32,3000] @ [32,3000]ᵀ', { a: [32, 3000], b: [32, 3000], transposeB: true, kernel: 'matmul-split-k' }],
  ['few rows past 8 take the register-blocked kernel: PSN W [32,32] @ X [32,1000]', { a: [32, 32], b: [32, 1000], kernel: 'matmul-register' }],
  ['few rows past 8, transposed A: PSN dX = Wᵀ dH [16,16]ᵀ @ [16,1000]', { a: [16, 16], b: [16, 1000], transposeA: true, kernel: 'matmul-register' }],
  ['square stays register-blocked [96,96] @ [96,96]', { a: [96, 96], b: [96, 96], kernel: 'matmul-register' }],
];

describe.skipIf(skip)('skinny matmuls on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it.for(cases)('matches the CPU: %s', async ([, c]) => {
    const { device } = deviceOf(acquired);
    const run = await runMatmulCase(device, c, 11);
    expect(run.kernels).toEqual(c.kernel === 'matmul-split-k' ? ['matmul-split-k', 'reduce'] : [c.kernel]);
    expect(run.length).toBe(run.expectedLength);
    expect(run.scaledError).toBeLessThan(1e-5);
  });
});

describe('matmul strategy', () => {
  const dims = (m: number, k: number, n: number, batch: Shape = []) => matmulStrategy({ batch, m, k, n });
  it('splits K only for a small output over a long K, and narrows few columns, or few rows with a long other side', () => {
    expect(dims(8, 65536, 8)).toEqual({ kind: 'split-k' });
    expect(dims(8, 512, 64)).toEqual({ kind: 'register' }); // K too short to split; too few columns to narrow the rows
    expect(dims(8, 512, 8)).toEqual({ kind: 'narrow', side: 'n' }); // few columns: narrow whatever the rows
    // A readout [T·B, 64] @ [64, 10] takes one kernel at every batch size B (T = 8).
    for (const batch of [1, 17, 32, 64, 512]) expect(dims(8 * batch, 64, 10)).toEqual({ kind: 'narrow', side: 'n' });
    expect(dims(28, 1400, 256)).toEqual({ kind: 'split-k' }); // 4 tiles would leave most threads idle
    expect(dims(128, 65536, 128)).toEqual({ kind: 'register' }); // an output this size reuses operands better in tiles
    expect(dims(256, 65536, 256)).toEqual({ kind: 'register' }); // 16 tiles: enough workgroups already
    expect(dims(8, 8, 65536)).toEqual({ kind: 'narrow', side: 'm' });
    expect(dims(16, 16, 65536)).toEqual({ kind: 'register' }); // past 8 rows the register-blocked kernel ran faster
    expect(dims(32, 32, 65536)).toEqual({ kind: 'register' });
    expect(dims(4096, 128, 10)).toEqual({ kind: 'narrow', side: 'n' });
    expect(dims(33, 8, 65536)).toEqual({ kind: 'register' }); // past the register budget of a narrow line
    expect(dims(8, 4096, 65536)).toEqual({ kind: 'register' }); // K too long to stream per thread
  });

  it('blocks split-K threads 8 rows by up to 16 columns, never wider than the output, whatever K', () => {
    const block = (m: number, k: number, n: number) => splitKBlock({ batch: [], m, k, n });
    expect(block(32, 65536, 32)).toEqual({ rows: 8, colVecs: 4 });
    expect(block(32, 1 << 20, 32)).toEqual({ rows: 8, colVecs: 4 });
    expect(block(8, 65536, 8)).toEqual({ rows: 8, colVecs: 2 });
    expect(block(10, 3000, 6)).toEqual({ rows: 8, colVecs: 2 });
    expect(block(28, 1400, 256)).toEqual({ rows: 8, colVecs: 4 });
    // The chunks of K depend on the block: 4 x 2 blocks of a 32 x 32 output over K = 65536 leave 256 chunks of 256 steps.
    expect(chooseSplitK({ batch: [], m: 32, k: 65536, n: 32 }, block(32, 65536, 32))).toEqual({ chunks: 256, chunkK: 256 });
  });

  it('reads the logical sizes through transposes and broadcast batch dims', () => {
    const binding = (shape: Shape) => ({ name: 'x', access: 'read' as const, type: { shape, dtype: 'f32' as const }, stepStride: 0 });
    expect(matmulDims(binding([3, 1, 12, 5]), binding([2, 300, 12]), true, true)).toEqual({ batch: [3, 2], m: 5, k: 12, n: 300 });
  });
});
