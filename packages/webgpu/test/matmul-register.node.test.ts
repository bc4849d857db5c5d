// The register-blocked matmul kernel against the CPU, over shapes that reach each of its paths.
import type { Shape } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { matmulDims } from '../src/codegen/matmul-skinny.js';
import { registerViews } from '../src/codegen/matmul-register.js';
import { matmulStrategy } from '../src/compiler/matmul-steps.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { runMatmulCase, type MatmulCase } from './support/matmul-case.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the register-blocked matmul tests');

type Case = MatmulCase;

// Blocks are 8 rows x 8 columns; vec4 views need N (B, output) or M (transposed A) a multiple of 4.
const cases: [string, Case][] = [
  ['whole blocks, vec4 B and output [64,48] @ [48,64]', { a: [64, 48], b: [48, 64] }],
  ['ragged rows, N a multiple of 4 but not 8 [37,19] @ [19,44]', { a: [37, 19], b: [19, 44] }],
  ['N not a multiple of 4: scalar B and output [45,33] @ [33,70]', { a: [45, 33], b: [33, 70] }],
  ['K = 1 [40,1] @ [1,40]', { a: [40, 1], b: [1, 40] }],
  ['one row, K = 1 [1,1] @ [1,40] (one column would take the narrow kernel)', { a: [1, 1], b: [1, 40] }],
  ['transposed A, vec4 view of A [50,72]ᵀ @ [50,96]', { a: [50, 72], b: [50, 96], transposeA: true }],
  ['transposed A, M not a multiple of 4 [30,69]ᵀ @ [30,40]', { a: [30, 69], b: [30, 40], transposeA: true }],
  ['transposed B [72,40] @ [96,40]ᵀ', { a: [72, 40], b: [96, 40], transposeB: true }],
  ['both transposed, ragged [41,67]ᵀ @ [53,41]ᵀ', { a: [41, 67], b: [53, 41], transposeA: true, transposeB: true }],
  ['batch broadcast [2,1,36,20] @ [3,20,44]', { a: [2, 1, 36, 20], b: [3, 20, 44] }],
  ['batched A, shared transposed B [3,40,24] @ [52,24]ᵀ', { a: [3, 40, 24], b: [52, 24], transposeB: true }],
  ['skinny-ish [40,784] @ [784,36]', { a: [40, 784], b: [784, 36] }],
  ['several 64 x 64 tiles [128,16] @ [16,192]', { a: [128, 16], b: [16, 192] }],
  ['ragged tiles: threads past the edge [130,70] @ [70,200]', { a: [130, 70], b: [70, 200] }],
  ['ragged tiles, transposed A and B, batched [2,33,129]ᵀ @ [131,33]ᵀ', { a: [2, 33, 129], b: [131, 33], transposeA: true, transposeB: true }],
];

describe.skipIf(skip)('register-blocked matmul on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it.for(cases)('matches the CPU: %s', async ([, c]) => {
    const { device } = deviceOf(acquired);
    const run = await runMatmulCase(device, c, 21);
    expect(run.kernels).toEqual(['matmul-register']);
    expect(run.length).toBe(run.expectedLength);
    expect(run.scaledError).toBeLessThan(1e-5);
  });
});

describe('register-blocked matmul choice', () => {
  const binding = (name: string, shape: Shape, stepStride = 0) => ({ name, access: 'read' as const, type: { shape, dtype: 'f32' as const }, stepStride });
  const strategy = (m: number, k: number, n: number) => matmulStrategy({ batch: [], m, k, n });

  it('picks the register-blocked kernel for dense products that are neither narrow nor split-K', () => {
    expect(strategy(1024, 1024, 1024)).toEqual({ kind: 'register' });
    expect(strategy(256, 256, 256)).toEqual({ kind: 'register' });
    expect(strategy(512, 784, 256)).toEqual({ kind: 'register' });
    expect(strategy(64, 784, 256)).toEqual({ kind: 'register' });
    expect(strategy(512, 256, 10)).toEqual({ kind: 'narrow', side: 'n' });
    expect(strategy(28, 1400, 256)).toEqual({ kind: 'split-k' });
  });

  it('views an operand as vec4s only along a contiguous axis that is a multiple of 4', () => {
    const args = (a: Shape, b: Shape, transposeA: boolean, transposeB: boolean, outStep = 0) => {
      const [ba, bb] = [binding('a', a), binding('b', b)];
      const dims = matmulDims(ba, bb, transposeA, transposeB);
      return registerViews({ label: 'mm', a: ba, b: bb, out: { ...binding('out', [dims.m, dims.n], outStep), access: 'read_write' }, transposeA, transposeB }, dims);
    };
    expect(args([8, 5], [5, 12], false, false)).toEqual({ a: false, b: true, out: true });
    expect(args([5, 8], [5, 12], true, false)).toEqual({ a: true, b: true, out: true });
    expect(args([6, 5], [5, 10], true, false)).toEqual({ a: false, b: false, out: false });
    expect(args([8, 5], [12, 5], false, true)).toEqual({ a: false, b: false, out: true });
    // A scan step offset that is not a multiple of 4 elements rules out the output's view.
    expect(args([8, 5], [5, 12], false, false, 6)).toEqual({ a: false, b: true, out: false });
  });
});
