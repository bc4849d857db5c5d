// The tensor-level pooling and flatten functions against hand-worked values, their gradients
// against hand-worked values and central finite differences, and their input errors.
import { evaluate, SpikeflowError, tensor, toArray, trace, type Shape, type Tensor } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { describe, expect, it } from 'vitest';
import { avgPool2d, flatten, maxPool2d, sumPool2d, type Pool2dOptions } from '../src/index.js';
import { gradCheck } from '../../autodiff/test/support/grad-check.js';

/** The 4×4 image 1..16, row by row. */
const IMAGE = Array.from({ length: 16 }, (_, k) => k + 1);

function run(shape: Shape, x: readonly number[], fn: (x: Tensor) => Tensor): { y: number[]; shape: Shape } {
  const g = trace((b) => ({ y: fn(b.input('x', shape)) }));
  const y = evaluate(g, { inputs: { x: tensor(shape, [...x], 'f32', 'f64') } }, { precision: 'f64' }).outputs.y!;
  return { y: toArray(y), shape: y.type.shape };
}

describe('pooling on a 4×4 image 1..16 (hand-worked)', () => {
  const cases: [string, (x: Tensor) => Tensor, Shape, number[]][] = [
    ['maxPool2d kernel 2', (x) => maxPool2d(x, { kernel: 2 }), [1, 1, 2, 2], [6, 8, 14, 16]],
    ['sumPool2d kernel 2', (x) => sumPool2d(x, { kernel: 2 }), [1, 1, 2, 2], [1 + 2 + 5 + 6, 3 + 4 + 7 + 8, 9 + 10 + 13 + 14, 11 + 12 + 15 + 16]],
    ['avgPool2d kernel 2', (x) => avgPool2d(x, { kernel: 2 }), [1, 1, 2, 2], [3.5, 5.5, 11.5, 13.5]],
    // Rows 0 and 2, windows of 2 columns at columns 0, 1, 2.
    ['sumPool2d kernel [1, 2], stride [2, 1]', (x) => sumPool2d(x, { kernel: [1, 2], stride: [2, 1] }), [1, 1, 2, 3], [3, 5, 7, 19, 21, 23]],
    // Windows at rows/cols -1..1 and 1..3; the padding zeros count in the divisor 9 (count_include_pad).
    ['avgPool2d kernel 3, stride 2, padding 1', (x) => avgPool2d(x, { kernel: 3, stride: 2, padding: 1 }), [1, 1, 2, 2], [(1 + 2 + 5 + 6) / 9, (2 + 3 + 4 + 6 + 7 + 8) / 9, (5 + 6 + 9 + 10 + 13 + 14) / 9, (6 + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16) / 9]],
    ['maxPool2d kernel 3, stride 2, padding 1', (x) => maxPool2d(x, { kernel: 3, stride: 2, padding: 1 }), [1, 1, 2, 2], [6, 8, 14, 16]],
    // Overlapping windows, stride 1: 3×3 outputs, each the bottom-right element of its window.
    ['maxPool2d kernel 2, stride 1', (x) => maxPool2d(x, { kernel: 2, stride: 1 }), [1, 1, 3, 3], [6, 7, 8, 10, 11, 12, 14, 15, 16]],
    ['maxPool2d kernel 1 (identity view), stride 3', (x) => maxPool2d(x, { kernel: 1, stride: 3 }), [1, 1, 2, 2], [1, 4, 13, 16]],
  ];
  it.each(cases)('%s', (_, fn, shape, expected) => {
    const out = run([1, 1, 4, 4], IMAGE, fn);
    expect(out.shape).toEqual(shape);
    expect(out.y).toEqual(expected);
  });

  it('maxPool2d pads with the lowest value, not zero: on −(1..16) the padded corners still give the image values', () => {
    // Windows rows/cols -1..1 → max(−1, −2, −5, −6); cols 1..3 of rows 0..1 → −2; rows 1..3, cols 0..1 → −5; rows 1..3, cols 1..3 → −6.
    const out = run([1, 1, 4, 4], IMAGE.map((v) => -v), (x) => maxPool2d(x, { kernel: 3, stride: 2, padding: 1 }));
    expect(out.y).toEqual([-1, -2, -5, -6]);
  });

  it('pools each channel, batch element and time step on its own: [T, B, C, H, W] -> [T, B, C, H\', W\']', () => {
    // x[t][b][c] = IMAGE · (t + 1) + 100·c − 50·b.
    const [T, B, C] = [2, 2, 3];
    const x: number[] = [];
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) x.push(...IMAGE.map((v) => v * (t + 1) + 100 * c - 50 * b));
    // A window's max is max(IMAGE window)·(t + 1) + offset; its sum counts the offset 4 times.
    const expected = (base: number[], offsets: number) => {
      const out: number[] = [];
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) out.push(...base.map((v) => v * (t + 1) + offsets * (100 * c - 50 * b)));
      return out;
    };
    const max = run([T, B, C, 4, 4], x, (v) => maxPool2d(v, { kernel: 2 }));
    expect(max.shape).toEqual([T, B, C, 2, 2]);
    expect(max.y).toEqual(expected([6, 8, 14, 16], 1));
    const sum = run([T, B, C, 4, 4], x, (v) => sumPool2d(v, { kernel: 2 }));
    expect(sum.shape).toEqual([T, B, C, 2, 2]);
    expect(sum.y).toEqual(expected([14, 22, 46, 54], 4));
  });
});

describe('pooling gradients', () => {
  /** d/dx of Σ pool(x) · r, for a fixed cotangent r. */
  function gradOf(shape: Shape, x: number[], fn: (x: Tensor) => Tensor, r: number[]): number[] {
    let yShape: Shape = [];
    const g = trace((b) => {
      const y = fn(b.input('x', shape));
      yShape = y.shape;
      return { loss: y.mul(b.input('r', y.shape)).sum() };
    });
    const feeds = { x: tensor(shape, x, 'f32', 'f64'), r: tensor(yShape, r, 'f32', 'f64') };
    return toArray(evaluate(grad(g, { of: 'loss', wrt: ['x'] }), { inputs: feeds }, { precision: 'f64' }).outputs['grad/x']!);
  }

  it('maxPool2d sends each window\'s cotangent to its maximum (hand-worked)', () => {
    // Windows of 2×2 on 1..16: the maxima 6, 8, 14, 16 are at flat indices 5, 7, 13, 15.
    const g = gradOf([1, 1, 4, 4], IMAGE, (x) => maxPool2d(x, { kernel: 2 }), [1, 2, 3, 4]);
    const expected = new Array(16).fill(0);
    [5, 7, 13, 15].forEach((k, i) => (expected[k] = i + 1));
    expect(g).toEqual(expected);
  });

  it('maxPool2d splits a tie evenly among the tied elements (a window of spikes)', () => {
    // Window 0 holds two 1s, window 1 four 0s.
    const x = [1, 0, 0, 0, 1, 0, 0, 0];
    const g = gradOf([1, 1, 2, 4], x, (v) => maxPool2d(v, { kernel: 2 }), [1, 1]);
    expect(g).toEqual([0.5, 0, 0.25, 0.25, 0.5, 0, 0.25, 0.25]);
  });

  it('avgPool2d with padding gives every element the cotangents of its windows / k² (hand-worked)', () => {
    // kernel 3, stride 2, padding 1 on 4×4: element (1, 1) lies in all four windows; (0, 0) in one.
    const g = gradOf([1, 1, 4, 4], IMAGE, (x) => avgPool2d(x, { kernel: 3, stride: 2, padding: 1 }), [1, 2, 3, 4]);
    expect(g[0]).toBeCloseTo(1 / 9, 14);
    expect(g[5]).toBeCloseTo((1 + 2 + 3 + 4) / 9, 14);
    expect(g[3]).toBeCloseTo(2 / 9, 14);
    expect(g[15]).toBeCloseTo(4 / 9, 14);
  });

  const fdCases: [string, (x: Tensor) => Tensor, Shape][] = [
    ['maxPool2d kernel 3, stride 2, padding 1, time-major', (x) => maxPool2d(x, { kernel: 3, stride: 2, padding: 1 }), [2, 2, 2, 5, 5]],
    ['maxPool2d kernel [2, 3], stride 1', (x) => maxPool2d(x, { kernel: [2, 3], stride: 1 }), [2, 3, 4, 5]],
    ['avgPool2d kernel 2, padding 1, time-major', (x) => avgPool2d(x, { kernel: 2, padding: 1 }), [2, 1, 2, 5, 4]],
    ['sumPool2d kernel [3, 2], stride [1, 2]', (x) => sumPool2d(x, { kernel: [3, 2], stride: [1, 2] }), [2, 2, 5, 6]],
  ];
  it.each(fdCases)('%s: against central finite differences', (_, fn, shape) => {
    // Random inputs in [−1, 1] have no ties, so max is differentiable at them.
    const { maxRelError } = gradCheck((_b, [x]) => fn(x!), [shape], { seed: 7 });
    expect(maxRelError).toBeLessThan(1e-7);
  });
});

describe('flatten', () => {
  it.each([
    [[2, 3, 4, 5, 6], 2, -1, [2, 3, 120]],
    [[3, 4, 5, 6], 1, -1, [3, 120]],
    [[2, 3, 4, 5, 6], 1, 3, [2, 60, 6]],
    [[2, 3], 0, 0, [2, 3]],
    [[2, 3, 4], -2, -1, [2, 12]],
  ] as const)('%j from %i to %i is %j, values in order', (shape, start, end, expected) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = Array.from({ length: n }, (_, k) => k);
    const out = run(shape, x, (v) => flatten(v, start, end));
    expect(out.shape).toEqual(expected);
    expect(out.y).toEqual(x);
  });

  it('rejects axes outside the tensor or in the wrong order, naming both', () => {
    const bad = (start: number, end: number) => () => trace((b) => ({ y: flatten(b.input('x', [2, 3, 4]), start, end) }));
    expect(bad(0, 3)).toThrow(/startDim 0, endDim 3/);
    expect(bad(2, 1)).toThrow(SpikeflowError);
    expect(bad(-4, -1)).toThrow(/rank-3/);
  });
});

describe('pooling input errors', () => {
  const build = (shape: Shape, options: Pool2dOptions) => () => trace((b) => ({ y: maxPool2d(b.input('x', shape), options) }));
  it('rejects a rank other than 4 or 5', () => {
    expect(build([4, 4], { kernel: 2 })).toThrow(/\[B, C, H, W\] or a time-major/);
  });
  it('rejects padding over half the kernel, as PyTorch does', () => {
    expect(build([1, 1, 4, 4], { kernel: 2, padding: 2 })).toThrow(/padding must be at most half the kernel/);
  });
  it('rejects a kernel larger than the padded input', () => {
    expect(build([1, 1, 2, 2], { kernel: 3 })).toThrow(/smaller than maxPool2d's \(padded\) kernel/);
  });
  it('rejects a zero or fractional stride, naming the field', () => {
    expect(build([1, 1, 4, 4], { kernel: 2, stride: 0 })).toThrow(/stride/);
    expect(build([1, 1, 4, 4], { kernel: [2, 1.5] })).toThrow(/kernel/);
  });
});
