import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, tensor, toArray, trace, type ConvOptions, type GraphBuilder, type Shape, type Tensor } from '@spikeflow/core';
import { grad } from '../src/index.js';
import { gradCheck } from './support/grad-check.js';

interface Case {
  readonly name: string;
  readonly shapes: readonly Shape[];
  readonly fn: (b: GraphBuilder, xs: Tensor[]) => Tensor;
}

const mm = (transposeA: boolean, transposeB: boolean) => (_: GraphBuilder, [a, b]: Tensor[]) => a!.matmul(b!, { transposeA, transposeB });
const c1 = (options: ConvOptions<number>) => (_: GraphBuilder, [x, w]: Tensor[]) => x!.conv1d(w!, options);
const c2 = (options: ConvOptions<number | readonly [number, number]>) => (_: GraphBuilder, [x, w]: Tensor[]) => x!.conv2d(w!, options);

const MATMUL: readonly Case[] = [
  { name: 'matmul [3,4] @ [4,2]', shapes: [[3, 4], [4, 2]], fn: mm(false, false) },
  { name: 'matmul transposeA [4,3]ᵀ @ [4,2]', shapes: [[4, 3], [4, 2]], fn: mm(true, false) },
  { name: 'matmul transposeB [3,4] @ [2,4]ᵀ', shapes: [[3, 4], [2, 4]], fn: mm(false, true) },
  { name: 'matmul both transposed [4,3]ᵀ @ [2,4]ᵀ', shapes: [[4, 3], [2, 4]], fn: mm(true, true) },
  { name: 'matmul batch broadcast [2,1,3,4] @ [5,4,2]', shapes: [[2, 1, 3, 4], [5, 4, 2]], fn: mm(false, false) },
  { name: 'matmul batch broadcast, both transposed [2,1,4,3]ᵀ @ [5,2,4]ᵀ', shapes: [[2, 1, 4, 3], [5, 2, 4]], fn: mm(true, true) },
  { name: 'matmul batch broadcast transposeA [1,4,3]ᵀ @ [3,4,2]', shapes: [[1, 4, 3], [3, 4, 2]], fn: mm(true, false) },
  { name: 'matmul rank 2 @ rank 3 [3,4] @ [2,4,5]', shapes: [[3, 4], [2, 4, 5]], fn: mm(false, false) },
];

const CONV1D: readonly Case[] = [
  { name: 'conv1d plain', shapes: [[2, 3, 7], [4, 3, 3]], fn: c1({}) },
  { name: 'conv1d stride 2', shapes: [[2, 3, 9], [4, 3, 3]], fn: c1({ stride: 2 }) },
  { name: 'conv1d asymmetric padding [2,1]', shapes: [[1, 2, 6], [3, 2, 3]], fn: c1({ padding: [2, 1] }) },
  { name: 'conv1d dilation 2', shapes: [[1, 2, 9], [2, 2, 3]], fn: c1({ dilation: 2 }) },
  { name: 'conv1d groups 2', shapes: [[2, 4, 6], [6, 2, 3]], fn: c1({ groups: 2 }) },
  // Dense output has 6 positions, stride 3 keeps 0 and 3: inputs 6 and 7 are never read.
  { name: 'conv1d stride 3 drops trailing inputs', shapes: [[1, 2, 8], [2, 2, 3]], fn: c1({ stride: 3 }) },
  // Padding 3 exceeds extent - 1 = 1, so the transposed conv's pad would be negative.
  { name: 'conv1d padding [3,2] wider than the kernel', shapes: [[1, 1, 4], [1, 1, 2]], fn: c1({ padding: [3, 2] }) },
  // Padded 14, extent 5, stride 2: 5 outputs reach padded position 12, dropping 13.
  { name: 'conv1d stride 2, padding [2,1], dilation 2, groups 2', shapes: [[2, 4, 11], [6, 2, 3]], fn: c1({ stride: 2, padding: [2, 1], dilation: 2, groups: 2 }) },
];

const CONV2D: readonly Case[] = [
  { name: 'conv2d plain', shapes: [[1, 2, 5, 5], [3, 2, 3, 3]], fn: c2({}) },
  { name: 'conv2d stride [2,1], padding [[1,0],[2,1]], dilation [1,2]', shapes: [[2, 2, 6, 7], [3, 2, 3, 2]], fn: c2({ stride: [2, 1], padding: [[1, 0], [2, 1]], dilation: [1, 2] }) },
  { name: 'conv2d stride 2, dilation 2, padding [[2,1],[0,1]], groups 2', shapes: [[2, 4, 8, 7], [4, 2, 2, 3]], fn: c2({ stride: 2, dilation: 2, padding: [[2, 1], [0, 1]], groups: 2 }) },
  // Rows: dense 6, stride 3 keeps 0 and 3, so rows 6 and 7 are never read; columns: dense 6, stride 2 keeps 0,2,4, column 6 never read.
  { name: 'conv2d stride [3,2] drops trailing rows and columns', shapes: [[1, 2, 8, 7], [2, 2, 3, 2]], fn: c2({ stride: [3, 2] }) },
  { name: 'conv2d depthwise (groups 3)', shapes: [[1, 3, 5, 5], [3, 1, 3, 3]], fn: c2({ groups: 3, padding: 1 }) },
];

/** Case name -> measured max relative error, printed in the test output. */
const measured = new Map<string, number>();
afterAll(() => console.log(`linalg VJP max relative errors vs finite differences:\n${[...measured].map(([n, e]) => `  ${n}: ${e.toExponential(2)}`).join('\n')}`));

function check(c: Case): ReturnType<typeof gradCheck> {
  const result = gradCheck(c.fn, c.shapes);
  measured.set(c.name, result.maxRelError);
  expect(result.maxRelError).toBeLessThan(1e-6);
  return result;
}

describe('linalg VJPs against finite differences', () => {
  for (const c of [...MATMUL, ...CONV1D, ...CONV2D]) it(c.name, () => void check(c));
});

describe('inputs a strided conv never reads get exactly zero gradient', () => {
  it('conv1d: x[..., 6:8] with stride 3', () => {
    // dx is [1, 2, 8] in row-major order: per channel, positions 6 and 7.
    const dx = check(CONV1D[5]!).analytic[0]!;
    for (const ch of [0, 1]) expect(dx.slice(ch * 8 + 6, ch * 8 + 8)).toEqual([0, 0]);
  });

  it('conv2d: rows 6..7 and column 6 with stride [3,2]', () => {
    const dx = check(CONV2D[3]!).analytic[0]!;
    for (let ch = 0; ch < 2; ch++) {
      for (let r = 0; r < 8; r++) {
        for (let col = 0; col < 7; col++) {
          if (r >= 6 || col === 6) expect(dx[(ch * 8 + r) * 7 + col]).toBe(0);
        }
      }
    }
  });
});

describe('matmul VJP worked by hand', () => {
  it('d/dW sum(x @ W) for a 1x2 x is [[x0, x0], [x1, x1]]', () => {
    // sum_j (x0·W0j + x1·W1j), so dW_kj = x_k: with x = [3, 5], dW = [[3, 3], [5, 5]].
    const forward = trace((b) => ({ loss: b.input('x', [1, 2]).matmul(b.param('W', [2, 2], { kind: 'zeros' })).sum() }));
    const feeds = { inputs: { x: tensor([1, 2], [3, 5], 'f32', 'f64') }, params: { W: tensor([2, 2], [1, -2, 0.5, 4], 'f32', 'f64') } };
    const out = evaluate(grad(forward, { of: 'loss', wrt: ['W'] }), feeds, { precision: 'f64' });
    expect(toArray(out.outputs['grad/W']!)).toEqual([3, 3, 5, 5]);
  });
});
