import { describe, expect, it } from 'vitest';
import { evaluate, tensor, toArray, trace } from '@spikeflow/core';
import { i32 } from '../src/index.js';
import { matmulScratchBytes, multiplyItems, multiplyStatements, packAItems, packAStatements, packBItems, packBStatements, planMatmul, type MatmulSpec } from '../src/kernels/matmul-forms.js';
import { planRowsMatmul, rowsMatmulItems, rowsMatmulStatements, rowsPathApplies } from '../src/kernels/matmul-rows.js';
import { KernelLayout, readF32 } from './kernels-harness.js';
import { randomFloats } from './reference.js';

const f = Math.fround;
const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** The product through core's reference: float64 sums rounded once; also Σ|a·b| per output for the error bound. */
function referenceMatmul(spec: MatmulSpec, a: Float32Array, b: Float32Array): { exact: number[]; f32Ordered: Float32Array; magnitude: number[]; k: number } {
  const graph = trace((g) => ({ y: g.input('a', spec.aShape).matmul(g.input('b', spec.bShape), { transposeA: spec.transposeA, transposeB: spec.transposeB }) }));
  const exact = toArray(evaluate(graph, { inputs: { a: tensor(spec.aShape, a), b: tensor(spec.bShape, b) } }, { precision: 'f32' }).outputs.y!);
  // The same product, per element in the kernels' float32 order, written here from the primitive's definition.
  const plan = planMatmul(spec);
  const { m, k, n, batch } = plan;
  const aAt = (q: number, i: number, p: number) => a[matrixOf(spec.aShape, batch, q) * m * k + (spec.transposeA ? p * m + i : i * k + p)]!;
  const bAt = (q: number, p: number, j: number) => b[matrixOf(spec.bShape, batch, q) * k * n + (spec.transposeB ? j * k + p : p * n + j)]!;
  const f32Ordered = new Float32Array(size(batch) * m * n);
  const magnitude: number[] = [];
  for (let q = 0; q < size(batch); q++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let total = 0;
        let abs = 0;
        for (let k0 = 0; k0 < k; k0 += plan.tiling.kBlock) {
          let s = 0;
          for (let p = k0; p < Math.min(k, k0 + plan.tiling.kBlock); p++) {
            s = f(s + f(aAt(q, i, p) * bAt(q, p, j)));
            abs += Math.abs(aAt(q, i, p) * bAt(q, p, j));
          }
          total = k0 === 0 ? s : f(total + s);
        }
        f32Ordered[(q * m + i) * n + j] = total;
        magnitude.push(abs);
      }
    }
  }
  return { exact, f32Ordered, magnitude, k };
}

/** Which stored matrix of an operand with shape `shape` output batch matrix `q` reads (numpy broadcasting). */
function matrixOf(shape: readonly number[], batch: readonly number[], q: number): number {
  const dims = shape.slice(0, -2);
  let index = 0;
  let rest = q;
  let stride = 1;
  for (let d = batch.length - 1; d >= 0; d--) {
    const i = rest % batch[d]!;
    rest = Math.floor(rest / batch[d]!);
    const at = d - (batch.length - dims.length);
    if (at >= 0) {
      if (dims[at] !== 1) index += i * stride;
      stride *= dims[at]!;
    }
  }
  return index;
}

async function runMatmul(spec: MatmulSpec, a: Float32Array, b: Float32Array, threads: number): Promise<Float32Array> {
  const plan = planMatmul(spec);
  const scratch = matmulScratchBytes(plan);
  const layout = new KernelLayout();
  const aPtr = layout.place(a);
  const bPtr = layout.place(b);
  const packedA = layout.place(scratch.packedA / 4);
  const packedB = layout.place(scratch.packedB / 4);
  const outLength = size(plan.batch) * plan.m * plan.n;
  const out = layout.place(outLength);
  const view = await layout.run(
    [
      { items: packAItems(plan), body: (fn, lo, hi) => packAStatements(fn, plan, i32.const(aPtr), i32.const(packedA), lo, hi) },
      { items: packBItems(plan), body: (fn, lo, hi) => packBStatements(fn, plan, i32.const(bPtr), i32.const(packedB), lo, hi) },
      { items: multiplyItems(plan), body: (fn, lo, hi) => multiplyStatements(fn, plan, i32.const(packedA), i32.const(packedB), i32.const(out), lo, hi) },
    ],
    threads,
  );
  return readF32(view, out, outLength);
}

async function runRowsMatmul(spec: MatmulSpec, a: Float32Array, b: Float32Array, threads: number): Promise<Float32Array> {
  const plan = planRowsMatmul(planMatmul(spec));
  const layout = new KernelLayout();
  const aPtr = layout.place(a);
  const bPtr = layout.place(b);
  const outLength = size(plan.matmul.batch) * plan.matmul.m * plan.matmul.n;
  const out = layout.place(outLength);
  const view = await layout.run([{ items: rowsMatmulItems(plan), body: (fn, lo, hi) => rowsMatmulStatements(fn, plan, i32.const(aPtr), i32.const(bPtr), i32.const(out), lo, hi) }], threads);
  return readF32(view, out, outLength);
}

const t = (aShape: number[], bShape: number[], transposeA = false, transposeB = false): MatmulSpec => ({ aShape, bShape, transposeA, transposeB });

const SPECS: readonly MatmulSpec[] = [
  t([3, 5], [5, 7]),
  t([1, 1], [1, 1]),
  t([9, 300], [300, 13]),
  t([5, 3], [5, 7], true),
  t([3, 5], [7, 5], false, true),
  t([300, 9], [11, 300], true, true),
  t([1, 17], [17, 33]),
  t([6, 17], [17, 3]),
  t([2, 3, 17, 9], [9, 13]),
  t([5, 9], [4, 9, 6]),
  t([1, 5, 9], [4, 9, 6], false, false),
  t([3, 1, 10, 6], [1, 2, 11, 10], true, true),
  t([2, 65, 33], [2, 33, 20]),
  t([70, 8], [8, 9]),
];

describe.each([1, 2])('matmul forms on %i thread(s)', (threads) => {
  it.each(SPECS)('%j: bit for bit the kernel-order float32 product, within γ_k of the reference', async (spec) => {
    const a = randomFloats(size(spec.aShape), size(spec.aShape) + 3);
    const b = randomFloats(size(spec.bShape), size(spec.bShape) + 5);
    const got = await runMatmul(spec, a, b, threads);
    const { exact, f32Ordered, magnitude, k } = referenceMatmul(spec, a, b);
    expect(got).toEqual(f32Ordered);
    const u = 2 ** -24;
    const gamma = ((k + 1) * u) / (1 - (k + 1) * u);
    got.forEach((value, i) => expect(Math.abs(value - exact[i]!)).toBeLessThanOrEqual(gamma * magnitude[i]!));
  });

  it('an empty inner dimension gives zeros', async () => {
    const got = await runMatmul(t([2, 3, 0], [0, 5]), new Float32Array(0), new Float32Array(0), threads);
    expect(Array.from(got)).toEqual(new Array(30).fill(0));
  });
});

// M <= 4 with B as stored: full chunks, tails of vectors and scalars, K over several blocks, broadcast batch dims, A transposed.
const ROW_SPECS: readonly MatmulSpec[] = [
  t([1, 17], [17, 33]),
  t([1, 600], [600, 70]),
  t([2, 9], [9, 19]),
  t([3, 300], [300, 13]),
  t([4, 7], [7, 3]),
  t([300, 4], [300, 9], true),
  t([2, 1, 1, 9], [3, 9, 34]),
  t([5, 3, 9], [9, 5]),
];

describe.each([1, 2])('matmul of a few rows with B unpacked, on %i thread(s)', (threads) => {
  it.each(ROW_SPECS)('%j: bit for bit the kernel-order float32 product, within γ_k of the reference', async (spec) => {
    const a = randomFloats(size(spec.aShape), size(spec.aShape) + 3);
    const b = randomFloats(size(spec.bShape), size(spec.bShape) + 5);
    const got = await runRowsMatmul(spec, a, b, threads);
    const { exact, f32Ordered, magnitude, k } = referenceMatmul(spec, a, b);
    expect(got).toEqual(f32Ordered);
    const u = 2 ** -24;
    const gamma = ((k + 1) * u) / (1 - (k + 1) * u);
    got.forEach((value, i) => expect(Math.abs(value - exact[i]!)).toBeLessThanOrEqual(gamma * magnitude[i]!));
  });
});

describe('matmul plan', () => {
  it('takes the unpacked-B path for at most 4 rows with B not transposed', () => {
    expect(rowsPathApplies(planMatmul(t([4, 8], [8, 3])))).toBe(true);
    expect(rowsPathApplies(planMatmul(t([5, 8], [8, 3])))).toBe(false);
    expect(rowsPathApplies(planMatmul(t([1, 8], [3, 8], false, true)))).toBe(false);
    expect(rowsPathApplies(planMatmul(t([1, 0], [0, 3])))).toBe(false);
    expect(planRowsMatmul(planMatmul(t([1, 8], [8, 70])))).toMatchObject({ vectors: 8, chunks: 3 });
  });


  it('narrows the tile for one row and for four or fewer columns, and refuses mismatched shapes', () => {
    expect(planMatmul(t([1, 8], [8, 3])).tiling).toMatchObject({ rows: 1, vectors: 1 });
    expect(planMatmul(t([3, 8], [8, 9])).tiling).toMatchObject({ rows: 3, vectors: 2, mBlock: 63 });
    expect(() => planMatmul(t([2, 3], [4, 5]))).toThrow('matmul: inner dimensions differ (3 and 4)');
    expect(() => planMatmul(t([2, 2, 3], [3, 3, 5]))).toThrow('matmul: batch dims [2] and [3] do not broadcast');
  });
});
