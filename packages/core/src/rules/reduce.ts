import type { DType } from '../dtype.js';
import { fail } from '../errors.js';
import { allocTensor, type HostTensor } from '../host-tensor.js';
import { REDUCTIONS, type ReduceAttrs, type ReduceOp } from '../primitives.js';
import { formatType, sizeOf, type TensorType } from '../types.js';
import { broadcastIndexer } from './broadcast-index.js';
import { expectArity, expectDType, normalizeAxes } from './checks.js';
import type { CpuRule, CpuTable, InferRule, InferTable } from './rule-types.js';

/**
 * `sum`, `max` and `mean` over `axes` (negative axes count from the end; an empty list reduces
 * nothing). With `keepDims` the reduced axes stay as length 1.
 */

const DTYPES: Readonly<Record<ReduceOp, readonly DType[]>> = {
  sum: ['f32', 'i32', 'u32'],
  max: ['f32', 'i32', 'u32'],
  mean: ['f32'],
};

/** The input's shape with the reduced axes set to 1: the output shape under keepDims. */
function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, axis) => (axes.includes(axis) ? 1 : d));
}

function reduceInferFor(op: ReduceOp): InferRule<ReduceOp> {
  return (inputs, attrs, where) => {
    expectArity(inputs, 1, where, op);
    const x = inputs[0]!;
    expectDType(x, DTYPES[op], where, `${op} input`);
    if (!Array.isArray(attrs.axes)) fail('attr', where, `${op} axes must be a list of axes`, 'e.g. [-1]', JSON.stringify(attrs.axes));
    if (typeof attrs.keepDims !== 'boolean') fail('attr', where, `${op} keepDims must be a boolean`, 'true or false', JSON.stringify(attrs.keepDims));
    const axes = normalizeAxes(attrs.axes, x.shape.length, where);
    // A sum of nothing is 0 and a mean 0/0 = NaN (as numpy), but a max of nothing has no value.
    const empty = axes.find((axis) => x.shape[axis] === 0);
    if (REDUCTIONS[op].combine === 'max' && empty !== undefined) {
      fail('shape', where, `max over axis ${empty} of length 0 has no value`, 'reduced axes of length >= 1', formatType(x));
    }
    const shape = attrs.keepDims ? keptShape(x.shape, axes) : x.shape.filter((_, axis) => !axes.includes(axis));
    return { shape, dtype: x.dtype };
  };
}

/** Running accumulators, one per output element. */
interface Accumulator {
  add(out: number, x: number): void;
  result(out: number): number;
}

/**
 * Float sums accumulate in float64 with Neumaier's compensation, so the stored value is the
 * exact sum rounded once to the output's storage in all but pathological cases.
 */
function floatSum(size: number): Accumulator {
  const sum = new Float64Array(size);
  const comp = new Float64Array(size);
  return {
    add(o, x) {
      const s = sum[o]!;
      const t = s + x;
      comp[o]! += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
      sum[o] = t;
    },
    // An infinite or NaN sum makes the compensation NaN; the plain sum is then the answer.
    result: (o) => (Number.isFinite(sum[o]!) ? sum[o]! + comp[o]! : sum[o]!),
  };
}

/** Integer sums wrap modulo 2^32 at every step, as a GPU's would. */
function intSum(size: number, dtype: 'i32' | 'u32'): Accumulator {
  const acc = dtype === 'i32' ? new Int32Array(size) : new Uint32Array(size);
  return {
    add(o, x) {
      acc[o] = acc[o]! + x; // the store wraps
    },
    result: (o) => acc[o]!,
  };
}

/** Math.max propagates NaN, as numpy's max does. */
function maxOf(size: number, dtype: DType): Accumulator {
  const lowest = dtype === 'i32' ? -(2 ** 31) : dtype === 'u32' ? 0 : -Infinity;
  const acc = new Float64Array(size).fill(lowest);
  return {
    add(o, x) {
      acc[o] = Math.max(acc[o]!, x);
    },
    result: (o) => acc[o]!,
  };
}

function sumOf(size: number, dtype: DType): Accumulator {
  return dtype === 'i32' || dtype === 'u32' ? intSum(size, dtype) : floatSum(size);
}

/** One pass over the input: element i feeds the output element it broadcasts from. */
function reduceCpuFor(op: ReduceOp): CpuRule<ReduceOp> {
  return ([x], attrs: ReduceAttrs, type, ctx): HostTensor => {
    const input = x!.type;
    const axes = normalizeAxes(attrs.axes, input.shape.length, ctx.where);
    const out = allocTensor(type as TensorType, ctx.precision);
    const size = out.data.length;
    const { combine, divideByCount } = REDUCTIONS[op];
    const acc = combine === 'max' ? maxOf(size, input.dtype) : sumOf(size, input.dtype);
    const outIndex = broadcastIndexer(keptShape(input.shape, axes), input.shape);
    const data = x!.data;
    for (let i = 0; i < data.length; i++) acc.add(outIndex(i), data[i]!);
    // Elements reduced into each output; 0 for an empty axis, so the mean is 0/0 = NaN.
    const count = sizeOf(axes.map((a) => input.shape[a]!));
    for (let o = 0; o < size; o++) out.data[o] = divideByCount ? acc.result(o) / count : acc.result(o);
    return out;
  };
}

export const reduceInfer: InferTable<ReduceOp> = {
  sum: reduceInferFor('sum'),
  max: reduceInferFor('max'),
  mean: reduceInferFor('mean'),
};

export const reduceCpu: CpuTable<ReduceOp> = {
  sum: reduceCpuFor('sum'),
  max: reduceCpuFor('max'),
  mean: reduceCpuFor('mean'),
};
