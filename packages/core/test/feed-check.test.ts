import { describe, expect, it } from 'vitest';
import type { DType } from '../src/dtype.js';
import { SpikeflowError } from '../src/errors.js';
import { feedToHostTensor, feedToTypedArray, type FeedValue } from '../src/feed-check.js';
import { evaluate } from '../src/interpreter/evaluate.js';
import { cpuBackend } from '../src/interpreter/cpu-backend.js';
import { tensor, toArray, type HostTensor } from '../src/host-tensor.js';
import { trace } from '../src/trace/builder.js';
import type { Shape, TensorType } from '../src/types.js';

/**
 * The one feed check every backend uses: a fed value either fits the leaf's type exactly or is
 * rejected with one message naming the field (and the element at fault).
 */

const type = (dtype: DType, shape: Shape): TensorType => ({ shape, dtype });

/** The full message of the error a feed is rejected with. */
function rejection(value: FeedValue, t: TensorType, field = 'inputs.labels'): string {
  try {
    feedToTypedArray(value, t, field);
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeflowError);
    expect((e as SpikeflowError).code).toBe('feed');
    return (e as SpikeflowError).message;
  }
  throw new Error('the feed was accepted');
}

/** A HostTensor with whatever data, bypassing `tensor()`'s own rounding. */
const raw = (t: TensorType, data: HostTensor['data']): HostTensor => ({ type: t, data });

describe('feedToTypedArray accepts', () => {
  it('a number, an array and a HostTensor, as the storage of the dtype', () => {
    expect(Array.from(feedToTypedArray(3, type('i32', []), 'x'))).toEqual([3]);
    const labels = feedToTypedArray([0, -5, 2147483647, -2147483648], type('i32', [4]), 'x');
    expect(labels).toBeInstanceOf(Int32Array);
    expect(Array.from(labels)).toEqual([0, -5, 2147483647, -2147483648]);
    const counts = feedToTypedArray([0, 4294967295], type('u32', [2]), 'x');
    expect(counts).toBeInstanceOf(Uint32Array);
    expect(Array.from(counts)).toEqual([0, 4294967295]);
    const mask = feedToTypedArray(tensor([3], [1, 0, 1], 'bool'), type('bool', [3]), 'x');
    expect(mask).toBeInstanceOf(Uint8Array);
    expect(Array.from(mask)).toEqual([1, 0, 1]);
    // -0 is the integer 0.
    expect(Array.from(feedToTypedArray([-0], type('u32', [1]), 'x'))).toEqual([0]);
  });

  it('any f32 number, NaN and infinities included (the f32 NaN policy is the computation\'s)', () => {
    const x = feedToTypedArray([0.1, NaN, Infinity, -Infinity], type('f32', [4]), 'x');
    expect(x).toBeInstanceOf(Float32Array);
    expect(Array.from(x)).toEqual([Math.fround(0.1), NaN, Infinity, -Infinity]);
  });

  it('into the array a backend allocates (bool as 32-bit words, a never-empty buffer)', () => {
    const words = feedToTypedArray([1, 0], type('bool', [2]), 'x', (_d, n) => new Uint32Array(Math.max(1, n)));
    expect(words).toBeInstanceOf(Uint32Array);
    expect(Array.from(words)).toEqual([1, 0]);
    expect(Array.from(feedToTypedArray([], type('f32', [0]), 'x', (_d, n) => new Float32Array(Math.max(1, n))))).toEqual([0]);
  });

  it('typed arrays of every kind, copied by value (a same-kind array in one call, others converted)', () => {
    const f64 = new Float64Array([0.1, -2.5, NaN]);
    const x = feedToTypedArray(f64, type('f32', [3]), 'x');
    expect(Array.from(x)).toEqual([Math.fround(0.1), -2.5, NaN]);
    const f32 = new Float32Array([1.5, -0]);
    const copy = feedToTypedArray(f32, type('f32', [2]), 'x');
    expect(copy).not.toBe(f32);
    f32[0] = 9;
    expect(Array.from(copy)).toEqual([1.5, -0]);
    expect(Array.from(feedToTypedArray(new Uint8Array([0, 255]), type('i32', [2]), 'x'))).toEqual([0, 255]);
    expect(Array.from(feedToTypedArray(new Float32Array([0, 1, 1]), type('bool', [3]), 'x', (_d, n) => new Int32Array(n)))).toEqual([0, 1, 1]);
    expect(Array.from(feedToTypedArray(new Float32Array([3, 0]), type('i32', [2]), 'x'))).toEqual([3, 0]);
  });

  it('f64 data at f64 precision, unrounded', () => {
    const t = feedToHostTensor([0.1], type('f32', [1]), 'x', 'f64');
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(t.data[0]).toBe(0.1);
  });
});

describe('feedToTypedArray rejects, with one message naming the field', () => {
  it('a scalar fed to a tensor', () => {
    expect(rejection(1, type('f32', [2]))).toBe("[feed] at 'inputs.labels': a scalar was fed to a tensor; expected f32[2]; found a number");
  });

  it('a value that is no number, array or HostTensor', () => {
    expect(rejection(null as unknown as FeedValue, type('f32', []))).toBe("[feed] at 'inputs.labels': not a feedable value; expected a number, an array or a HostTensor; found null");
    expect(rejection('3' as unknown as FeedValue, type('f32', []))).toBe("[feed] at 'inputs.labels': not a feedable value; expected a number, an array or a HostTensor; found string");
    expect(rejection({} as unknown as FeedValue, type('f32', []))).toBe("[feed] at 'inputs.labels': not a feedable value; expected a number, an array or a HostTensor; found an object without length");
  });

  it('an array of the wrong length', () => {
    expect(rejection([1, 2, 3], type('i32', [2, 2]))).toBe("[feed] at 'inputs.labels': fed array has the wrong length for shape [2, 2]; expected 4 elements; found 3");
  });

  it('a HostTensor of the wrong shape or dtype', () => {
    expect(rejection(tensor([4], [1, 2, 3, 4], 'i32'), type('i32', [2, 2]))).toBe("[feed] at 'inputs.labels': fed tensor has the wrong shape; expected [2, 2]; found [4]");
    expect(rejection(tensor([4], [1, 2, 3, 4]), type('i32', [4]))).toBe("[feed] at 'inputs.labels': fed tensor has the wrong dtype; expected i32; found f32");
  });

  it("a HostTensor whose data is shorter or longer than its shape", () => {
    const t = type('f32', [3]);
    expect(rejection(raw(t, new Float32Array(2)), t)).toBe("[feed] at 'inputs.labels': fed tensor's data does not fill its shape; expected 3 elements; found 2");
    expect(rejection(raw(t, new Float32Array(4)), t)).toBe("[feed] at 'inputs.labels': fed tensor's data does not fill its shape; expected 3 elements; found 4");
  });

  it('an i32 or u32 element that is not an integer, naming the element', () => {
    const i32 = 'expected an integer in [-2147483648, 2147483647] (i32)';
    expect(rejection([0, 1, 2, 2.7], type('i32', [4]))).toBe(`[feed] at 'inputs.labels[3]': 2.7 is not an integer; ${i32}; found 2.7`);
    expect(rejection([NaN], type('i32', [1]))).toBe(`[feed] at 'inputs.labels[0]': NaN is not an integer; ${i32}; found NaN`);
    expect(rejection([Infinity], type('u32', [1]))).toBe("[feed] at 'inputs.labels[0]': Infinity is not an integer; expected an integer in [0, 4294967295] (u32); found Infinity");
    // A scalar names the field itself.
    expect(rejection(0.5, type('u32', []))).toBe("[feed] at 'inputs.labels': 0.5 is not an integer; expected an integer in [0, 4294967295] (u32); found 0.5");
  });

  it('an i32 or u32 element out of range, instead of wrapping', () => {
    expect(rejection([3, -1], type('u32', [2]))).toBe("[feed] at 'inputs.labels[1]': -1 is out of range for u32; expected an integer in [0, 4294967295] (u32); found -1");
    expect(rejection([4294967296], type('u32', [1]))).toBe("[feed] at 'inputs.labels[0]': 4294967296 is out of range for u32; expected an integer in [0, 4294967295] (u32); found 4294967296");
    expect(rejection([2147483648], type('i32', [1]))).toBe("[feed] at 'inputs.labels[0]': 2147483648 is out of range for i32; expected an integer in [-2147483648, 2147483647] (i32); found 2147483648");
    expect(rejection([-2147483649], type('i32', [1]))).toBe("[feed] at 'inputs.labels[0]': -2147483649 is out of range for i32; expected an integer in [-2147483648, 2147483647] (i32); found -2147483649");
  });

  it('a bool element other than 0 or 1, from an array or a HostTensor', () => {
    expect(rejection([1, 0, 2], type('bool', [3]))).toBe("[feed] at 'inputs.labels[2]': 2 is not a bool; expected 0 or 1; found 2");
    const t = type('bool', [2]);
    expect(rejection(raw(t, new Uint8Array([0, 5])), t)).toBe("[feed] at 'inputs.labels[1]': 5 is not a bool; expected 0 or 1; found 5");
    expect(rejection([true, 0] as unknown as FeedValue, t)).toBe("[feed] at 'inputs.labels[0]': true is not a number; expected a number; found boolean");
    // A typed array of another kind takes the fast loop, with the same message.
    const many = new Float32Array(1000);
    many[997] = 0.5;
    expect(rejection(many, type('bool', [1000]))).toBe("[feed] at 'inputs.labels[997]': 0.5 is not a bool; expected 0 or 1; found 0.5");
    expect(rejection(new Float32Array([1, NaN]), t)).toBe("[feed] at 'inputs.labels[1]': NaN is not a bool; expected 0 or 1; found NaN");
  });

  it('an i32 HostTensor whose float data is not integral', () => {
    const t = type('i32', [2]);
    expect(rejection(raw(t, new Float32Array([1, 2.5])), t)).toBe("[feed] at 'inputs.labels[1]': 2.5 is not an integer; expected an integer in [-2147483648, 2147483647] (i32); found 2.5");
  });

  it('a hole or a non-number in an f32 array, instead of reading NaN', () => {
    expect(rejection([1, , 3] as unknown as FeedValue, type('f32', [3]))).toBe("[feed] at 'inputs.labels[1]': undefined is not a number; expected a number; found undefined");
    expect(rejection([1, '2'] as unknown as FeedValue, type('f32', [2]))).toBe("[feed] at 'inputs.labels[1]': 2 is not a number; expected a number; found string");
  });

  it('only the first bad element, before allocating anything', () => {
    let allocated = 0;
    const alloc = (_d: DType, n: number): Int32Array => {
      allocated++;
      return new Int32Array(n);
    };
    expect(() => feedToTypedArray([1.5, -1, 2], type('i32', [3]), 'x', alloc)).toThrow("[feed] at 'x[0]': 1.5 is not an integer");
    expect(allocated).toBe(0);
  });
});

describe('the CPU interpreter and CPU runner use the same check', () => {
  const net = trace((b) => {
    const labels = b.input('labels', [3], 'i32');
    return { y: labels.add(labels) };
  });

  it('evaluate rejects a fractional label and takes integral ones', () => {
    expect(() => evaluate(net, { inputs: { labels: [1, 2.7, 3] } })).toThrow("[feed] at 'inputs.labels[1]': 2.7 is not an integer");
    expect(toArray(evaluate(net, { inputs: { labels: [1, 2, 3] } }).outputs.y!)).toEqual([2, 4, 6]);
  });

  it('the CPU runner rejects a bad param without changing the params', async () => {
    const scaled = trace((b) => ({ y: b.param('w', [2], { kind: 'zeros' }, 'u32').add(b.input('x', [2], 'u32')) }));
    const runner = await cpuBackend().compile(scaled, { seed: 0 });
    expect(() => runner.setParams({ w: [5, -1] })).toThrow("[feed] at 'params.w[1]': -1 is out of range for u32");
    expect(toArray((await runner.run({ x: [1, 2] })).y!)).toEqual([1, 2]);
    runner.setParams({ w: [5, 7] });
    expect(toArray((await runner.run({ x: [1, 2] })).y!)).toEqual([6, 9]);
  });
});
