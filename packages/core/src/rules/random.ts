import { fail } from '../errors.js';
import { allocTensor, type HostTensor } from '../host-tensor.js';
import type { RandomAttrs, RandomOp } from '../primitives.js';
import { isValidSeed, opStream, streamNormal, streamUniform, type Stream } from '../rng/philox.js';
import { formatShape, formatType, sameShape, sizeOf, type TensorType } from '../types.js';
import { broadcastIndexer } from './broadcast-index.js';
import { broadcastOrFail, expectArity, expectDType, expectShapeAttr } from './checks.js';
import type { CpuContext, CpuTable, InferTable } from './rule-types.js';

/**
 * `uniform`, `normal` and `bernoulli`: stateless draws from the Philox stream keyed by
 * `attrs.seed`, with the `counter` input (the training step) as counter word 1, so each step
 * gets fresh numbers and a replay gives the same ones. See rng/philox.ts for the exact layout.
 */

/** Element indices are Philox counter words, so a tensor may hold at most 2^32 elements. */
const MAX_ELEMENTS = 2 ** 32;

function checkAttrs(attrs: RandomAttrs, where: string, op: string): void {
  expectShapeAttr(attrs.shape, where, `${op} shape`);
  if (sizeOf(attrs.shape) > MAX_ELEMENTS) {
    fail('attr', where, `${op} shape has too many elements for the generator`, `at most 2^32`, `${sizeOf(attrs.shape)}`);
  }
  if (!isValidSeed(attrs.seed)) {
    fail('attr', where, `${op} seed must be a non-negative integer below 2^53`, 'an integer in [0, 2^53)', JSON.stringify(attrs.seed));
  }
}

/** The step counter: one scalar integer, so every element of a call shares it. */
function checkCounter(counter: TensorType, where: string, op: string): void {
  if (counter.shape.length !== 0) fail('shape', where, `${op} counter must be a scalar`, 'shape []', formatType(counter));
  expectDType(counter, ['i32', 'u32'], where, `${op} counter`);
}

function inferDraw(op: 'uniform' | 'normal') {
  return (inputs: readonly TensorType[], attrs: RandomAttrs, where: string): TensorType => {
    expectArity(inputs, 1, where, op);
    checkCounter(inputs[0]!, where, op);
    checkAttrs(attrs, where, op);
    return { shape: [...attrs.shape], dtype: 'f32' };
  };
}

export const randomInfer: InferTable<RandomOp> = {
  uniform: inferDraw('uniform'),
  normal: inferDraw('normal'),
  bernoulli: (inputs, attrs, where) => {
    expectArity(inputs, 2, where, 'bernoulli');
    const [counter, p] = inputs as [TensorType, TensorType];
    checkCounter(counter, where, 'bernoulli');
    checkAttrs(attrs, where, 'bernoulli');
    expectDType(p, ['f32'], where, 'bernoulli p');
    // p must broadcast *to* the output shape; it may not enlarge it.
    const joint = broadcastOrFail([p.shape, attrs.shape], where, 'bernoulli');
    if (!sameShape(joint, attrs.shape)) {
      fail('shape', where, 'bernoulli p does not broadcast to the output shape', `a shape broadcastable to ${formatShape(attrs.shape)}`, formatShape(p.shape));
    }
    return { shape: [...attrs.shape], dtype: 'f32' };
  },
};

/** The counter input's value as a u32 (an i32 step wraps as on the GPU). */
function counterOf(counter: HostTensor): number {
  return Number(counter.data[0] ?? 0) >>> 0;
}

function draw(
  type: TensorType,
  ctx: CpuContext,
  stream: Stream,
  sample: (stream: Stream, index: number) => number,
): HostTensor {
  const out = allocTensor(type, ctx.precision);
  for (let i = 0; i < out.data.length; i++) out.data[i] = sample(stream, i);
  return out;
}

export const randomCpu: CpuTable<RandomOp> = {
  uniform: ([counter], attrs, type, ctx) => draw(type as TensorType, ctx, opStream(attrs.seed, counterOf(counter!)), streamUniform),
  normal: ([counter], attrs, type, ctx) => draw(type as TensorType, ctx, opStream(attrs.seed, counterOf(counter!)), streamNormal),
  bernoulli: ([counter, p], attrs, type, ctx) => {
    const t = type as TensorType;
    const stream = opStream(attrs.seed, counterOf(counter!));
    const pIndex = broadcastIndexer(p!.type.shape, t.shape);
    const pData = p!.data;
    const out = allocTensor(t, ctx.precision);
    // The same uniform as the `uniform` op with this seed and counter, compared with p.
    for (let i = 0; i < out.data.length; i++) out.data[i] = streamUniform(stream, i) < pData[pIndex(i)]! ? 1 : 0;
    return out;
  },
};
