import { describe, expect, it } from 'vitest';
import {
  toArray,
  trace,
  type DType,
  type GraphBuilder,
  type HostTensor,
  type Tensor,
} from '../src/index.js';
import { run, seen, rejects } from './support/trace-helpers.js';

/** x[i][j][k] = 12i + 4j + k, shape [2, 3, 4]: the values 0..23 in row-major order. */
const X = Array.from({ length: 24 }, (_, i) => i);

function onX(build: (x: Tensor) => Record<string, Tensor>, dtype: DType = 'f32'): Record<string, HostTensor> {
  return run((b) => build(b.input('x', [2, 3, 4], dtype)), { x: X });
}

describe('sum', () => {
  it('over the last axis (-1)', () => {
    // sum_k (12i + 4j + k) = 4(12i + 4j) + 6
    expect(seen(onX((x) => ({ y: x.sum(-1) })).y!)).toEqual({ shape: [2, 3], dtype: 'f32', values: [6, 22, 38, 54, 70, 86] });
  });

  it('over several axes with keepDims', () => {
    // sum_i sum_k (12i + 4j + k) = (16j + 6) + (48 + 16j + 6) = 60 + 32j
    expect(seen(onX((x) => ({ y: x.sum([0, -1], true) })).y!)).toEqual({ shape: [1, 3, 1], dtype: 'f32', values: [60, 92, 124] });
  });

  it('over all axes, with and without keepDims', () => {
    const { all, kept } = onX((x) => ({ all: x.sum(), kept: x.sum(undefined, true) }));
    expect(seen(all!)).toEqual({ shape: [], dtype: 'f32', values: [276] }); // 0 + 1 + ... + 23 = 23 * 24 / 2
    expect(seen(kept!)).toEqual({ shape: [1, 1, 1], dtype: 'f32', values: [276] });
  });

  it('over no axes is the identity', () => {
    expect(seen(onX((x) => ({ y: x.sum([]) })).y!)).toEqual({ shape: [2, 3, 4], dtype: 'f32', values: X });
  });

  it('wraps on i32 and u32', () => {
    const { i, u } = run((b) => ({ i: b.input('i', [2], 'i32').sum(), u: b.input('u', [3], 'u32').sum() }), {
      i: [2147483647, 1],
      u: [4294967295, 2, 5],
    });
    expect(seen(i!)).toEqual({ shape: [], dtype: 'i32', values: [-2147483648] }); // 2^31 wraps
    expect(seen(u!)).toEqual({ shape: [], dtype: 'u32', values: [6] }); // 2^32 + 6 wraps to 6
  });

  it('over a zero-size axis is 0', () => {
    const { y, z } = run((b) => {
      const x = b.input('x', [2, 0]);
      return { y: x.sum(1), z: x.sum(0) };
    }, { x: [] });
    expect(seen(y!)).toEqual({ shape: [2], dtype: 'f32', values: [0, 0] });
    expect(seen(z!)).toEqual({ shape: [0], dtype: 'f32', values: [] });
  });

  it('accumulates in float64, so f32 storage gets the rounded exact sum', () => {
    // In float32 arithmetic 1e8 + 1 rounds back to 1e8 (float32 spacing there is 8), giving 0.
    expect(toArray(run((b) => ({ y: b.input('x', [3]).sum() }), { x: [1e8, 1, -1e8] }, 'f32').y!)).toEqual([1]);
    // In float64 the same happens at 1e16 (spacing 2); the compensated sum still gives 1.
    expect(toArray(run((b) => ({ y: b.input('x', [3]).sum() }), { x: [1e16, 1, -1e16] }, 'f64').y!)).toEqual([1]);
  });

  it('an infinite term gives an infinite sum, not NaN', () => {
    expect(toArray(run((b) => ({ y: b.input('x', [3]).sum() }), { x: [1, Infinity, 2] }).y!)).toEqual([Infinity]);
  });
});

describe('max', () => {
  it('over the middle axis', () => {
    // max_j (12i + 4j + k) = 12i + 8 + k
    expect(seen(onX((x) => ({ y: x.max(1) })).y!)).toEqual({ shape: [2, 4], dtype: 'f32', values: [8, 9, 10, 11, 20, 21, 22, 23] });
  });

  it('over two axes with keepDims, on i32', () => {
    // max over i and j: 12 + 8 + k
    expect(seen(onX((x) => ({ y: x.max([0, 1], true) }), 'i32').y!)).toEqual({ shape: [1, 1, 4], dtype: 'i32', values: [20, 21, 22, 23] });
  });

  it('of negative i32, large u32, -inf and NaN', () => {
    const { i, u, inf, nan } = run(
      (b) => ({
        i: b.input('i', [3], 'i32').max(),
        u: b.input('u', [2], 'u32').max(),
        inf: b.input('m', [2]).max(),
        nan: b.input('n', [3]).max(),
      }),
      { i: [-5, -2, -9], u: [1, 4294967295], m: [-Infinity, -Infinity], n: [1, NaN, 3] },
    );
    expect(toArray(i!)).toEqual([-2]);
    expect(toArray(u!)).toEqual([4294967295]);
    expect(toArray(inf!)).toEqual([-Infinity]);
    expect(toArray(nan!)).toEqual([NaN]); // NaN propagates, as numpy's max
  });
});

describe('mean', () => {
  it('over axis -2 with keepDims', () => {
    // mean_j (12i + 4j + k) = 12i + 4 + k
    expect(seen(onX((x) => ({ y: x.mean(-2, true) })).y!)).toEqual({ shape: [2, 1, 4], dtype: 'f32', values: [4, 5, 6, 7, 16, 17, 18, 19] });
  });

  it('over all axes', () => {
    expect(toArray(onX((x) => ({ y: x.mean() })).y!)).toEqual([11.5]); // 276 / 24
  });

  it('over a zero-size axis is NaN (0/0)', () => {
    expect(seen(run((b) => ({ y: b.input('x', [2, 0]).mean(1) }), { x: [] }).y!)).toEqual({ shape: [2], dtype: 'f32', values: [NaN, NaN] });
  });

  it('f32 vs f64 precision', () => {
    const build = (b: GraphBuilder) => ({ y: b.input('x', [2]).mean() });
    // f64: (0.1 + 0.2) / 2 = 0.30000000000000004 / 2.
    expect(toArray(run(build, { x: [0.1, 0.2] }, 'f64').y!)).toEqual([0.15000000000000002]);
    // f32: (f32(0.1) + f32(0.2)) / 2 = 0.150000002235...; the nearest float32 is 0.15000000596046448.
    expect(toArray(run(build, { x: [0.1, 0.2] }, 'f32').y!)).toEqual([0.15000000596046448]);
  });
});

describe('errors name the node and say what was expected', () => {
  it('an axis out of range', () => {
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.op('sum', [b.input('x', [2, 3, 4])], { axes: [-4], keepDims: false }) })),
      'attr',
      ["'layer1/sum'", 'axis out of range', 'expected an integer in [-3, 2]', 'found -4'],
    );
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.op('max', [b.input('x', [2, 3, 4])], { axes: [3], keepDims: true }) })),
      'attr',
      ["'layer1/max'", 'found 3'],
    );
  });

  it('a repeated axis', () => {
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.op('sum', [b.input('x', [2, 3, 4])], { axes: [0, -3], keepDims: false }) })),
      'attr',
      ["'layer1/sum'", 'repeated', 'expected distinct axes', 'found [0, -3]'],
    );
  });

  it('mean on i32, sum on bool', () => {
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'i32').mean() })), 'dtype', ["'layer1/mean'", 'expected f32', 'found i32']);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'bool').sum() })), 'dtype', ["'layer1/sum'", 'expected f32 or i32 or u32', 'found bool']);
  });

  it('max over a zero-size axis', () => {
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2, 0]).max(-1) })), 'shape', [
      "'layer1/max'",
      'axis 1 of length 0',
      'expected reduced axes of length >= 1',
      'found f32[2, 0]',
    ]);
  });

  it('malformed attrs', () => {
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.op('sum', [b.input('x', [2])], { axes: [0], keepDims: 'yes' as never }) })),
      'attr',
      ["'layer1/sum'", 'keepDims', 'found "yes"'],
    );
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.op('sum', [b.input('x', [2])], { axes: [0.5], keepDims: false }) })),
      'attr',
      ["'layer1/sum'", 'found 0.5'],
    );
  });
});
