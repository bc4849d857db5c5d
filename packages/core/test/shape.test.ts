import { describe, expect, it } from 'vitest';
import { evaluate, SpikeflowError, toArray, trace, type FeedValue, type GraphBuilder, type HostTensor, type Precision, type Tensor } from '../src/index.js';

/** Traces `fn` and evaluates it on `inputs`; returns the output `y`. */
function run(fn: (b: GraphBuilder) => Tensor, inputs: Record<string, FeedValue>, precision: Precision = 'f64'): HostTensor {
  const graph = trace((b) => ({ y: fn(b) }));
  return evaluate(graph, { inputs }, { precision }).outputs['y']!;
}

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Asserts that `f` throws a SpikeflowError at `where` whose message quotes `expected` and `found`. */
function expectFailure(f: () => unknown, where: string, code: string, expected: string, found: string): SpikeflowError {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SpikeflowError);
  const e = error as SpikeflowError;
  expect(e.code).toBe(code);
  expect(e.where).toBe(where);
  expect(e.message).toContain(`at '${where}'`);
  expect(e.message).toContain(`expected ${expected}`);
  expect(e.message).toContain(`found ${found}`);
  return e;
}

/** Traces `fn` inside scope `layer1`, where its node's path is `layer1/<op>`. */
const inLayer = (fn: (b: GraphBuilder) => Tensor) => () => trace((b) => ({ y: b.scope('layer1', () => fn(b)) }));

describe('reshape', () => {
  it('keeps the row-major data and changes the shape', () => {
    const y = run((b) => b.input('x', [2, 3]).reshape([3, 2]), { x: iota(6) });
    expect(y.type).toEqual({ shape: [3, 2], dtype: 'f32' });
    // x = [[0,1,2],[3,4,5]] read row-major as [[0,1],[2,3],[4,5]].
    expect(toArray(y)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('accepts -1 in the builder, which resolves it', () => {
    const y = run((b) => b.input('x', [2, 3], 'i32').reshape([-1]), { x: [5, -4, 3, -2, 1, 0] });
    expect(y.type).toEqual({ shape: [6], dtype: 'i32' });
    expect(y.data).toBeInstanceOf(Int32Array);
    expect(toArray(y)).toEqual([5, -4, 3, -2, 1, 0]);
  });

  it('rejects a size change, naming the node', () => {
    // 2·3 = 6 elements cannot fill 4·2 = 8.
    expectFailure(inLayer((b) => b.input('x', [2, 3]).reshape([4, 2])), 'layer1/reshape', 'shape', '6 elements', '8');
  });

  it('rejects an unresolved -1 in the attrs', () => {
    const e = expectFailure(inLayer((b) => b.op('reshape', [b.input('x', [2, 3])], { shape: [-1, 2] })), 'layer1/reshape', 'attr', 'non-negative integers', '[-1,2]');
    expect(e.message).toContain('fully resolved');
  });

  it('rejects a non-integer dim', () => {
    expectFailure(inLayer((b) => b.input('x', [3]).reshape([1.5, 2])), 'layer1/reshape', 'attr', 'e.g. [2, 3]', '[1.5,2]');
  });
});

describe('transpose', () => {
  it('permutes a [2, 3, 4] by [2, 0, 1]', () => {
    // x[i,j,k] = 12i + 4j + k; y[a,b,c] = x[b,c,a] = 12b + 4c + a, y of shape [4, 2, 3].
    const y = run((b) => b.input('x', [2, 3, 4]).transpose([2, 0, 1]), { x: iota(24) });
    expect(y.type.shape).toEqual([4, 2, 3]);
    // Flat index of y[a,b,c] is 6a + 3b + c.
    expect(y.data[6 * 1 + 3 * 0 + 2]).toBe(9); // y[1,0,2] = x[0,2,1] = 8 + 1
    expect(y.data[6 * 3 + 3 * 1 + 1]).toBe(19); // y[3,1,1] = x[1,1,3] = 12 + 4 + 3
    expect(y.data[3]).toBe(12); // y[0,1,0] = x[1,0,0]
    expect(toArray(y)).toEqual([
      0, 4, 8, 12, 16, 20, // a = 0
      1, 5, 9, 13, 17, 21, // a = 1
      2, 6, 10, 14, 18, 22, // a = 2
      3, 7, 11, 15, 19, 23, // a = 3
    ]);
  });

  it('stores floats at the evaluation precision', () => {
    const f = (b: GraphBuilder) => b.input('x', [2, 2]).transpose();
    expect(run(f, { x: [1, 2, 3, 4] }, 'f32').data).toBeInstanceOf(Float32Array);
    expect(run(f, { x: [1, 2, 3, 4] }, 'f64').data).toBeInstanceOf(Float64Array);
    expect(toArray(run(f, { x: [1, 2, 3, 4] }))).toEqual([1, 3, 2, 4]);
  });

  it('rejects a perm that is not a permutation', () => {
    expectFailure(inLayer((b) => b.input('x', [2, 3, 4]).transpose([0, 0, 1])), 'layer1/transpose', 'attr', 'a permutation of 0..2', '[0,0,1]');
    expectFailure(inLayer((b) => b.input('x', [2, 3, 4]).transpose([1, 0])), 'layer1/transpose', 'attr', 'a permutation of 0..2', '[1,0]');
  });
});

describe('broadcast', () => {
  it('broadcasts [3, 1] to [2, 3, 4]', () => {
    // y[i,j,k] = x[j, 0].
    const y = run((b) => b.input('x', [3, 1]).broadcastTo([2, 3, 4]), { x: [10, 20, 30] });
    expect(y.type.shape).toEqual([2, 3, 4]);
    const block = [10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30];
    expect(toArray(y)).toEqual([...block, ...block]);
  });

  it('broadcasts bool data', () => {
    const y = run((b) => b.input('x', [2], 'bool').broadcastTo([2, 2]), { x: [1, 0] });
    expect(y.data).toBeInstanceOf(Uint8Array);
    expect(toArray(y)).toEqual([1, 0, 1, 0]);
  });

  it('rejects a target the input does not broadcast to', () => {
    const e = expectFailure(inLayer((b) => b.input('x', [3]).broadcastTo([2, 4])), 'layer1/broadcast', 'shape', 'a shape broadcastable to [2, 4]', '[3]');
    expect(e.message).toContain('input axis 0 (size 3) cannot broadcast to target axis 1 (size 4)');
    expectFailure(inLayer((b) => b.input('x', [2, 3]).broadcastTo([3])), 'layer1/broadcast', 'shape', 'a shape broadcastable to [3]', '[2, 3]');
  });
});

describe('slice', () => {
  it('takes every other row and column', () => {
    // x[i,j] = 5i + j, shape [4, 5]; rows 1, 3 (ceil(3/2) = 2) and cols 0, 2, 4 (ceil(5/2) = 3).
    const y = run((b) => b.input('x', [4, 5]).slice([1, 0], [4, 5], [2, 2]), { x: iota(20) });
    expect(y.type.shape).toEqual([2, 3]);
    expect(toArray(y)).toEqual([5, 7, 9, 15, 17, 19]);
  });

  it('rounds a partial last step up', () => {
    // cols 1 and 4 of 0..5: ceil((5 - 1) / 3) = 2.
    const y = run((b) => b.input('x', [6]).slice([1], [5], [3]), { x: [10, 11, 12, 13, 14, 15] });
    expect(toArray(y)).toEqual([11, 14]);
  });

  it('rejects an end beyond the axis', () => {
    const f = inLayer((b) => b.op('slice', [b.input('x', [2, 3])], { starts: [0, 2], ends: [2, 5], steps: [1, 1] }));
    expectFailure(f, 'layer1/slice', 'attr', '0 <= start <= end <= 3', 'start 2, end 5');
  });

  it('rejects a zero step', () => {
    const f = inLayer((b) => b.op('slice', [b.input('x', [4])], { starts: [0], ends: [4], steps: [0] }));
    expectFailure(f, 'layer1/slice', 'attr', '1 integers >= 1', '[0]');
  });
});

describe('concat', () => {
  it('joins three tensors on axis -1', () => {
    const y = run(
      (b) => b.concat([b.input('a', [2, 1]), b.input('b', [2, 2]), b.input('c', [2, 3])], -1),
      { a: [1, 2], b: [3, 4, 5, 6], c: [7, 8, 9, 10, 11, 12] },
    );
    expect(y.type.shape).toEqual([2, 6]);
    // Row r is a[r] ++ b[r] ++ c[r].
    expect(toArray(y)).toEqual([1, 3, 4, 7, 8, 9, 2, 5, 6, 10, 11, 12]);
  });

  it('joins on axis 0', () => {
    const y = run((b) => b.concat([b.input('a', [1, 2], 'u32'), b.input('b', [2, 2], 'u32')], 0), { a: [1, 2], b: [3, 4, 5, 6] });
    expect(y.type).toEqual({ shape: [3, 2], dtype: 'u32' });
    expect(toArray(y)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects mismatched dims off the axis', () => {
    const f = inLayer((b) => b.concat([b.input('a', [2, 3]), b.input('b', [3, 3])], 1));
    expectFailure(f, 'layer1/concat', 'shape', '[2, *]', '[3, 3]');
  });

  it('rejects mixed dtypes', () => {
    const f = inLayer((b) => b.concat([b.input('a', [2]), b.input('b', [2], 'i32')], 0));
    expectFailure(f, 'layer1/concat', 'dtype', 'f32 and f32', 'f32 and i32');
  });
});

describe('pad', () => {
  it('pads each axis with its own before/after amounts', () => {
    // [[1,2],[3,4]] with one row above and two columns on the right, filled with 9.
    const y = run((b) => b.input('x', [2, 2]).pad([[1, 0], [0, 2]], 9), { x: [1, 2, 3, 4] });
    expect(y.type.shape).toEqual([3, 4]);
    expect(toArray(y)).toEqual([
      9, 9, 9, 9,
      1, 2, 9, 9,
      3, 4, 9, 9,
    ]);
  });

  it('pads integers with an integer value', () => {
    const y = run((b) => b.input('x', [2], 'i32').pad([[1, 1]], -1), { x: [7, 8] });
    expect(toArray(y)).toEqual([-1, 7, 8, -1]);
  });

  it('rejects a negative amount and a value the dtype cannot hold', () => {
    expectFailure(inLayer((b) => b.input('x', [2, 2]).pad([[1, 0], [-1, 0]])), 'layer1/pad', 'attr', '2 pairs of non-negative integers', '[[1,0],[-1,0]]');
    expectFailure(inLayer((b) => b.input('x', [2], 'i32').pad([[1, 0]], 0.5)), 'layer1/pad', 'attr', 'a finite integer', '0.5');
  });
});

describe('gather', () => {
  const x = [1, 2, 3, 4, 5, 6]; // [[1,2,3],[4,5,6]]
  const indices = [2, 0, 1, 1]; // [[2,0],[1,1]]
  // y[i,a,b] = x[i, indices[a,b]], shape [2] + [2,2].
  const expected = [3, 1, 2, 2, 6, 4, 5, 5];

  it('takes along axis 1 with a 2-D index', () => {
    const y = run((b) => b.input('x', [2, 3]).gather(b.input('i', [2, 2], 'i32'), 1), { x, i: indices });
    expect(y.type.shape).toEqual([2, 2, 2]);
    expect(toArray(y)).toEqual(expected);
  });

  it('accepts a negative axis and u32 indices', () => {
    const y = run((b) => b.input('x', [2, 3]).gather(b.input('i', [2, 2], 'u32'), -1), { x, i: indices });
    expect(toArray(y)).toEqual(expected);
  });

  it('takes rows along axis 0', () => {
    const y = run((b) => b.input('x', [2, 3]).gather(b.input('i', [3], 'i32'), 0), { x, i: [1, 1, 0] });
    expect(toArray(y)).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
  });

  it('rejects an out-of-range index at run time, naming the node and the index', () => {
    const graph = inLayer((b) => b.input('x', [2, 3]).gather(b.input('i', [2], 'i32'), 1))();
    expectFailure(() => evaluate(graph, { inputs: { x, i: [0, 3] } }), 'layer1/gather', 'shape', 'an index in [0, 3)', '3');
    expectFailure(() => evaluate(graph, { inputs: { x, i: [-1, 0] } }), 'layer1/gather', 'shape', 'an index in [0, 3)', '-1');
  });

  it('rejects float indices', () => {
    expectFailure(inLayer((b) => b.input('x', [2, 3]).gather(b.input('i', [2]), 1)), 'layer1/gather', 'dtype', 'i32 or u32', 'f32');
  });
});

describe('oneHot', () => {
  it('gives one-hot rows, and zeros for indices outside [0, depth)', () => {
    const y = run((b) => b.input('i', [2, 2], 'i32').oneHot(3), { i: [0, 2, 3, -1] });
    expect(y.type).toEqual({ shape: [2, 2, 3], dtype: 'f32' });
    expect(toArray(y)).toEqual([
      1, 0, 0, // 0
      0, 0, 1, // 2
      0, 0, 0, // 3 is out of range
      0, 0, 0, // -1 is out of range
    ]);
  });

  it('rejects a non-positive depth', () => {
    expectFailure(inLayer((b) => b.input('i', [2], 'i32').oneHot(0)), 'layer1/oneHot', 'attr', '>= 1', '0');
  });
});
