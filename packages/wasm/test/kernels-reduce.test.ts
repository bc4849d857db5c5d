import { describe, expect, it } from 'vitest';
import { evaluate, REDUCTIONS, tensor, toArray, trace, type ReduceOp } from '@spikeflow/core';
import { f32, i32, v128, type Expr } from '../src/index.js';
import { REDUCE_CHUNK, reduceCombineStatements, reduceItems, reducePartialItems, reducePartialStatements, reduceScratchBytes, reduceSplit, reduceStatements, type ReduceDType, type ReduceInput } from '../src/kernels/reduce.js';
import { KernelLayout, readF32, readI32 } from './kernels-harness.js';
import { randomFloats } from './reference.js';

const f = Math.fround;

/** Each output's input elements in row-major order (the order every reduction here visits them). */
function elementsPerOutput(shape: readonly number[], axes: readonly number[], data: ArrayLike<number>): number[][] {
  const outShape = shape.map((d, a) => (axes.includes(a) ? 1 : d));
  const outSize = outShape.reduce((n, d) => n * d, 1);
  const lists: number[][] = Array.from({ length: outSize }, () => []);
  const index = shape.map(() => 0);
  for (let i = 0; i < data.length; i++) {
    let o = 0;
    for (let a = 0; a < shape.length; a++) o = o * outShape[a]! + (axes.includes(a) ? 0 : index[a]!);
    lists[o]!.push(data[i]!);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++index[a]! < shape[a]!) break;
      index[a] = 0;
    }
  }
  return lists;
}

/** The run length of the SIMD order: the trailing axes that are reduced or of length 1, up to the first kept axis longer than 1. */
function runLength(shape: readonly number[], axes: readonly number[]): number {
  let r = 1;
  let anyReduced = false;
  for (let a = shape.length - 1; a >= 0; a--) {
    if (axes.includes(a)) {
      r *= shape[a]!;
      anyReduced ||= shape[a]! !== 1;
    } else if (shape[a] !== 1) break;
  }
  return anyReduced ? r : 0;
}

/** The float32 reduction in the order reduce.ts states, written independently of the kernel. */
function referenceF32(op: 'sum' | 'max' | 'mean', shape: readonly number[], axes: readonly number[], data: Float32Array): Float32Array {
  const max = op === 'max';
  const combine = max ? (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)) : (a: number, b: number) => f(a + b);
  const identity = max ? -Infinity : 0;
  const r = runLength(shape, axes);
  const count = axes.reduce((n, a) => n * shape[a]!, 1);
  return Float32Array.from(elementsPerOutput(shape, axes, data), (xs) => {
    let acc = identity;
    if (r === 0 || count === 0) {
      for (const x of xs) acc = combine(acc, x);
    } else {
      for (let start = 0; start < xs.length; start += r) {
        const run = xs.slice(start, start + r);
        let s = identity;
        const lanes = Math.floor(r / 4) * 4;
        if (lanes > 0) {
          const v = [0, 1, 2, 3].map(() => [identity, identity, identity, identity]);
          let i = 0;
          for (; i + 16 <= r; i += 16) for (let j = 0; j < 4; j++) for (let l = 0; l < 4; l++) v[j]![l] = combine(v[j]![l]!, run[i + 4 * j + l]!);
          for (; i + 4 <= r; i += 4) for (let l = 0; l < 4; l++) v[0]![l] = combine(v[0]![l]!, run[i + l]!);
          const w = [0, 1, 2, 3].map((l) => combine(combine(v[0]![l]!, v[1]![l]!), combine(v[2]![l]!, v[3]![l]!)));
          s = combine(combine(w[0]!, w[1]!), combine(w[2]!, w[3]!));
        }
        for (let i = lanes; i < r; i++) s = combine(s, run[i]!);
        acc = combine(acc, s);
      }
    }
    return op === 'mean' ? f(acc / count) : acc;
  });
}

type Read = 'load' | 'load4';

async function runReduce(op: ReduceOp, dtype: ReduceDType, shape: readonly number[], axes: readonly number[], data: Float32Array | Int32Array, threads: number, read: Read) {
  const spec = { kind: REDUCTIONS[op], dtype, inputShape: shape, axes };
  const items = reduceItems(spec);
  const layout = new KernelLayout();
  const x = layout.place(data);
  const out = layout.place(items);
  const address = (index: Expr<'i32'>) => i32.add(i32.const(x), i32.shl(index, i32.const(2)));
  const input: ReduceInput = dtype === 'f32' ? { read: (index) => f32.load(address(index)), read4: read === 'load4' ? (index) => v128.load(address(index), { align: 4 }) : undefined } : { read: (index) => i32.load(address(index)) };
  const view = await layout.run([{ items, body: (fn, lo, hi) => reduceStatements(fn, spec, input, i32.const(out), lo, hi) }], threads);
  return dtype === 'f32' ? readF32(view, out, items) : readI32(view, out, items);
}

function evaluateReduce(op: ReduceOp, dtype: ReduceDType, shape: readonly number[], axes: readonly number[], data: ArrayLike<number>, keepDims: boolean): number[] {
  const graph = trace((b) => ({ y: b.input('x', shape, dtype)[op](axes, keepDims) }));
  return toArray(evaluate(graph, { inputs: { x: tensor(shape, data, dtype) } }, { precision: 'f32' }).outputs.y!);
}

/** Shapes and axes that cover every path: runs (long, short, nested), columns (vector and scalar outputs), length-1 axes, no axes, empty axes. */
const CASES: readonly [readonly number[], readonly number[]][] = [
  [[5, 7, 3], [2]],
  [[3, 37], [1]],
  [[2, 100], [0, 1]],
  [[6, 35, 9], [0]],
  [[4, 5, 6, 7], [1, 3]],
  [[4, 5, 6, 7], [0, 2]],
  [[3, 5, 6, 7], [0, 1]],
  [[2, 1, 3, 1], [1, 3]],
  [[2, 1, 13, 1], [2, 3]],
  [[3, 4], []],
  [[7], [0]],
  [[1, 1], [0, 1]],
];

describe.each([1, 2])('reduction kernels on %i thread(s)', (threads) => {
  it.each(CASES)('f32 sum/max/mean of %j over axes %j: bit for bit the stated float32 order, within γ of the reference', async (shape, axes) => {
    const size = shape.reduce((n, d) => n * d, 1);
    const data = randomFloats(size, size * 31 + axes.length);
    for (const op of ['sum', 'max', 'mean'] as const) {
      for (const read of ['load', 'load4'] as const) {
        const got = await runReduce(op, 'f32', shape, axes, data, threads, read);
        expect(got, `${op} ${read}`).toEqual(referenceF32(op, shape, axes, data));
        const want = evaluateReduce(op, 'f32', shape, axes, data, read === 'load4');
        const lists = elementsPerOutput(shape, axes, data);
        const u = 2 ** -24;
        got.forEach((value, o) => {
          const n = lists[o]!.length;
          const magnitude = lists[o]!.reduce((s, x) => s + Math.abs(x), 0);
          const bound = op === 'max' ? 0 : (((n + 2) * u) / (1 - (n + 2) * u)) * (op === 'mean' ? magnitude / n : magnitude);
          expect(Math.abs(value - want[o]!), `${op} output ${o}`).toBeLessThanOrEqual(bound);
        });
      }
    }
  });

  it('keeps a NaN in max and sum; an empty reduced axis gives sum 0 and mean NaN', async () => {
    const data = randomFloats(24, 5);
    data[13] = NaN;
    for (const op of ['sum', 'max', 'mean'] as const) {
      for (const axes of [[0], [2], [0, 1, 2]]) {
        const got = Array.from(await runReduce(op, 'f32', [2, 3, 4], axes, data, threads, 'load4'));
        const want = evaluateReduce(op, 'f32', [2, 3, 4], axes, data, false);
        expect(got.map(Number.isNaN), `${op} over ${axes}`).toEqual(want.map(Number.isNaN));
        expect(got.some(Number.isNaN)).toBe(true);
      }
    }
    const empty = new Float32Array(0);
    expect(Array.from(await runReduce('sum', 'f32', [3, 0, 5], [1], empty, threads, 'load4'))).toEqual(evaluateReduce('sum', 'f32', [3, 0, 5], [1], empty, false));
    expect(Array.from(await runReduce('mean', 'f32', [3, 0, 5], [1], empty, threads, 'load4')).every(Number.isNaN)).toBe(true);
    expect(evaluateReduce('mean', 'f32', [3, 0, 5], [1], empty, false).every(Number.isNaN)).toBe(true);
    expect(await runReduce('sum', 'f32', [0, 5], [1], empty, threads, 'load4')).toHaveLength(0);
  });

  it.each([['i32'], ['u32']] as const)('%s sum wraps and max compares as the dtype does, equal to the reference', async (dtype) => {
    const data = Int32Array.from(randomFloats(4 * 5 * 6, 9), (x) => Math.round(x * 2 ** 31) | 0);
    data[0] = 2 ** 31 - 1;
    data[1] = -(2 ** 31);
    for (const op of ['sum', 'max'] as const) {
      for (const axes of [[2], [0], [0, 2], [1]]) {
        const got = await runReduce(op, dtype, [4, 5, 6], axes, data, threads, 'load');
        const values = dtype === 'u32' ? Array.from(new Uint32Array(data.buffer)) : Array.from(data);
        const want = evaluateReduce(op, dtype, [4, 5, 6], axes, values, false);
        expect(Array.from(dtype === 'u32' ? new Uint32Array(got.buffer) : got), `${op} over ${axes}`).toEqual(want);
      }
    }
  });
});

/** The split whole-tensor reduction: partial stage, then combine, on the harness. */
async function runSplit(op: ReduceOp, dtype: ReduceDType, shape: readonly number[], data: Float32Array | Int32Array, threads: number) {
  const spec = { kind: REDUCTIONS[op], dtype, inputShape: shape, axes: shape.map((_, a) => a) };
  const split = reduceSplit(spec)!;
  const layout = new KernelLayout();
  const x = layout.place(data);
  const partials = layout.place(reduceScratchBytes(split) / 4);
  const out = layout.place(1);
  const address = (index: Expr<'i32'>) => i32.add(i32.const(x), i32.shl(index, i32.const(2)));
  const input: ReduceInput = dtype === 'f32' ? { read: (index) => f32.load(address(index)), read4: (index) => v128.load(address(index), { align: 4 }) } : { read: (index) => i32.load(address(index)) };
  const view = await layout.run(
    [
      { items: reducePartialItems(split), body: (fn, lo, hi) => reducePartialStatements(fn, spec, split, input, i32.const(partials), lo, hi) },
      { items: 1, body: (fn, lo, hi) => reduceCombineStatements(fn, spec, split, i32.const(partials), i32.const(out), lo, hi) },
    ],
    threads,
  );
  return dtype === 'f32' ? readF32(view, out, 1) : readI32(view, out, 1);
}

describe.each([1, 2])('whole-tensor reductions split over chunks, on %i thread(s)', (threads) => {
  it.each([[[3, REDUCE_CHUNK]], [[5, 7001]], [[2 * REDUCE_CHUNK + 3]]] as const)('f32 sum/max/mean of %j: each chunk in the run order, partials in chunk order, within γ of the reference', async (shape) => {
    const size = shape.reduce((n, d) => n * d, 1);
    const data = randomFloats(size, size + 7);
    for (const op of ['sum', 'max', 'mean'] as const) {
      const got = await runSplit(op, 'f32', shape, data, threads);
      // Each chunk is a one-axis reduction in the run order, then the partials combine from the identity.
      const partials: number[] = [];
      for (let start = 0; start < size; start += REDUCE_CHUNK) partials.push(referenceF32(op === 'max' ? 'max' : 'sum', [Math.min(REDUCE_CHUNK, size - start)], [0], data.subarray(start, start + REDUCE_CHUNK))[0]!);
      const total = partials.reduce((acc, p) => (op === 'max' ? Math.max(acc, p) : f(acc + p)), op === 'max' ? -Infinity : 0);
      expect(got[0], op).toBe(op === 'mean' ? f(total / size) : total);
      const want = evaluateReduce(op, 'f32', shape, shape.map((_, a) => a), data, false)[0]!;
      const magnitude = data.reduce((acc, x) => acc + Math.abs(x), 0);
      const u = 2 ** -24;
      const bound = op === 'max' ? 0 : (((size + 2) * u) / (1 - (size + 2) * u)) * (op === 'mean' ? magnitude / size : magnitude);
      expect(Math.abs(got[0]! - want), op).toBeLessThanOrEqual(bound);
    }
  });

  it('i32 sum wraps and u32 max compares unsigned across chunks', async () => {
    const data = Int32Array.from(randomFloats(REDUCE_CHUNK + 100, 3), (x) => Math.round(x * 2 ** 31) | 0);
    data[REDUCE_CHUNK + 5] = -1;
    const shape = [data.length];
    expect((await runSplit('sum', 'i32', shape, data, threads))[0]).toBe(evaluateReduce('sum', 'i32', shape, [0], Array.from(data), false)[0]);
    expect(new Uint32Array((await runSplit('max', 'u32', shape, data, threads)).buffer)[0]).toBe(2 ** 32 - 1);
  });

  it('splits only a single-output reduction longer than one chunk', () => {
    const spec = (inputShape: number[], axes: number[]) => ({ kind: REDUCTIONS.sum, dtype: 'f32' as const, inputShape, axes });
    expect(reduceSplit(spec([REDUCE_CHUNK], [0]))).toBeUndefined();
    expect(reduceSplit(spec([2, REDUCE_CHUNK], [1]))).toBeUndefined();
    expect(reduceSplit(spec([1, 3, REDUCE_CHUNK, 1], [1, 2]))).toEqual({ length: 3 * REDUCE_CHUNK, chunks: 3 });
  });
});

describe('reduction kernel arguments', () => {
  it('refuses a repeated or out-of-range axis and a mean of integers', () => {
    const build = (axes: number[], op: ReduceOp = 'sum', dtype: ReduceDType = 'f32') => () =>
      reduceStatements({ local: () => { throw new Error('unused'); } } as never, { kind: REDUCTIONS[op], dtype, inputShape: [2, 3], axes }, { read: () => f32.const(0) } as never, i32.const(0), i32.const(0), i32.const(1));
    expect(build([1, 1])).toThrow('reduce: axes [1, 1] repeat an axis');
    expect(build([2])).toThrow('reduce: axis 2 is not in 0..1');
    expect(build([0], 'mean', 'i32')).toThrow("reduce: a mean of i32 is not defined (core's mean takes f32)");
  });
});
