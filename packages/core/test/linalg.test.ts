import { describe, expect, it } from 'vitest';
import { evaluate, SpikeflowError, toArray, trace, type FeedValue, type GraphBuilder, type HostTensor, type Precision, type Tensor } from '../src/index.js';

function run(fn: (b: GraphBuilder) => Tensor, inputs: Record<string, FeedValue>, precision: Precision = 'f64'): HostTensor {
  const graph = trace((b) => ({ y: fn(b) }));
  return evaluate(graph, { inputs }, { precision }).outputs['y']!;
}

/** Asserts that tracing `fn` inside scope `layer1` fails at `layer1/<op>`, quoting expected and found. */
function expectFailure(fn: (b: GraphBuilder) => Tensor, op: string, code: string, expected: string, found: string): SpikeflowError {
  let error: unknown;
  try {
    trace((b) => ({ y: b.scope('layer1', () => fn(b)) }));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SpikeflowError);
  const e = error as SpikeflowError;
  expect(e.code).toBe(code);
  expect(e.where).toBe(`layer1/${op}`);
  expect(e.message).toContain(`at 'layer1/${op}'`);
  expect(e.message).toContain(`expected ${expected}`);
  expect(e.message).toContain(`found ${found}`);
  return e;
}

describe('matmul', () => {
  const A = [1, 2, 3, 4, 5, 6]; // [[1,2,3],[4,5,6]]
  const B = [7, 8, 9, 10, 11, 12]; // [[7,8],[9,10],[11,12]]
  // A @ B = [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]]
  const AB = [58, 64, 139, 154];
  const At = [1, 4, 2, 5, 3, 6]; // A stored transposed, [3, 2]
  const Bt = [7, 9, 11, 8, 10, 12]; // B stored transposed, [2, 3]

  it('multiplies [2, 3] @ [3, 2]', () => {
    const y = run((b) => b.input('a', [2, 3]).matmul(b.input('b', [3, 2])), { a: A, b: B });
    expect(y.type).toEqual({ shape: [2, 2], dtype: 'f32' });
    expect(toArray(y)).toEqual(AB);
  });

  it.each([
    [true, false, [3, 2], [3, 2], At, B],
    [false, true, [2, 3], [2, 3], A, Bt],
    [true, true, [3, 2], [2, 3], At, Bt],
  ])('reads operands transposed (transposeA %s, transposeB %s)', (transposeA, transposeB, aShape, bShape, a, bv) => {
    const y = run((b) => b.input('a', aShape).matmul(b.input('b', bShape), { transposeA, transposeB }), { a, b: bv });
    expect(y.type.shape).toEqual([2, 2]);
    expect(toArray(y)).toEqual(AB);
  });

  it('broadcasts batch dims: [2, 1, 2, 3] @ [3, 3, 2] -> [2, 3, 2, 2]', () => {
    // a0 = [[1,0,0],[0,1,0]] picks rows 0 and 1; a1 = [[0,0,1],[1,1,1]] picks row 2 and sums all rows.
    const a = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1];
    // b0 = [[1,2],[3,4],[5,6]], b1 = [[7,8],[9,10],[11,12]], b2 = [[-1,0],[0,-1],[1,1]].
    const bv = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, 0, 0, -1, 1, 1];
    const y = run((b) => b.input('a', [2, 1, 2, 3]).matmul(b.input('b', [3, 3, 2])), { a, b: bv });
    expect(y.type.shape).toEqual([2, 3, 2, 2]);
    expect(toArray(y)).toEqual([
      1, 2, 3, 4, // a0 @ b0
      7, 8, 9, 10, // a0 @ b1
      -1, 0, 0, -1, // a0 @ b2
      5, 6, 9, 12, // a1 @ b0: [5,6] and [1+3+5, 2+4+6]
      11, 12, 27, 30, // a1 @ b1: [11,12] and [7+9+11, 8+10+12]
      1, 1, 0, 0, // a1 @ b2: [1,1] and [-1+0+1, 0-1+1]
    ]);
  });

  it('accumulates in float64 and rounds once, even at f32 precision', () => {
    // In float32, (1e8 + 1) rounds back to 1e8 (spacing 8), so a float32 sum would give 0.
    const y = run((b) => b.input('a', [1, 3]).matmul(b.input('b', [3, 1])), { a: [1e8, 1, -1e8], b: [1, 1, 1] }, 'f32');
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(toArray(y)).toEqual([1]);
  });

  it('rejects an inner-dimension mismatch', () => {
    const e = expectFailure((b) => b.input('a', [2, 3]).matmul(b.input('b', [4, 5])), 'matmul', 'shape', 'K = 3', 'K = 4');
    expect(e.message).toContain('f32[2, 3]');
    expect(e.message).toContain('f32[4, 5]');
  });

  it('rejects batch dims that do not broadcast, a vector operand and a non-float dtype', () => {
    expectFailure((b) => b.input('a', [2, 2, 3]).matmul(b.input('b', [3, 3, 2])), 'matmul', 'shape', 'shapes equal or 1', '[2] and [3]');
    expectFailure((b) => b.input('a', [3]).matmul(b.input('b', [3, 2])), 'matmul', 'shape', 'rank >= 2', 'f32[3]');
    expectFailure((b) => b.input('a', [2, 3], 'i32').matmul(b.input('b', [3, 2], 'i32')), 'matmul', 'dtype', 'f32', 'i32');
  });
});

describe('conv1d', () => {
  it('handles stride 2, padding [1, 2], dilation 2 and groups 2', () => {
    // x [2, 2, 5]: batch 0 has ch0 = [1,2,3,4,5], ch1 = [6,7,8,9,10]; batch 1 is its negation.
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10];
    // w [4, 1, 2]: out channels 0, 1 read ch0 (group 0); 2, 3 read ch1 (group 1).
    const w = [1, 10, -1, 0, 100, 1, 0, -1];
    const y = run((b) => b.input('x', [2, 2, 5]).conv1d(b.input('w', [4, 1, 2]), { stride: 2, padding: [1, 2], dilation: 2, groups: 2 }), { x, w });
    // Wout = floor((5 + 1 + 2 - 2·(2-1) - 1) / 2) + 1 = floor(5/2) + 1 = 3.
    // Output o reads input positions 2o - 1 and 2o + 1 (outside 0..4 is padding):
    //   o = 0: (pad, 1), o = 1: (1, 3), o = 2: (3, pad).
    // ch0 taps: (0, 2), (2, 4), (4, 0); ch1 taps: (0, 7), (7, 9), (9, 0).
    expect(y.type.shape).toEqual([2, 4, 3]);
    expect(toArray(y)).toEqual([
      20, 42, 4, // w0 = [1, 10]: 0 + 20, 2 + 40, 4 + 0
      0, -2, -4, // w1 = [-1, 0]: -0, -2, -4
      7, 709, 900, // w2 = [100, 1]: 0 + 7, 700 + 9, 900 + 0
      -7, -9, 0, // w3 = [0, -1]: -7, -9, -0
      -20, -42, -4, // batch 1: the same, negated
      0, 2, 4,
      -7, -709, -900,
      7, 9, 0,
    ]);
  });

  it('rejects channels that do not match the groups', () => {
    // 4 input channels in 2 groups need w [Cout, 2, K].
    expectFailure((b) => b.input('x', [1, 4, 5]).conv1d(b.input('w', [2, 3, 2]), { groups: 2 }), 'conv1d', 'shape', '2', '3 in w f32[2, 3, 2]');
    expectFailure((b) => b.input('x', [1, 3, 5]).conv1d(b.input('w', [2, 1, 2]), { groups: 2 }), 'conv1d', 'shape', 'a multiple of 2', '3');
    expectFailure((b) => b.input('x', [1, 4, 5]).conv1d(b.input('w', [3, 2, 2]), { groups: 2 }), 'conv1d', 'shape', 'a multiple of 2', '3');
  });

  it('rejects a kernel wider than the padded input, and bad attrs', () => {
    // Dilated extent 2·(3-1) + 1 = 5 > 4 + 0.
    expectFailure((b) => b.input('x', [1, 1, 4]).conv1d(b.input('w', [1, 1, 3]), { dilation: 2 }), 'conv1d', 'shape', 'padded size >= 5', '4');
    expectFailure((b) => b.input('x', [1, 1, 4]).conv1d(b.input('w', [1, 1, 3]), { stride: 0 }), 'conv1d', 'attr', 'a positive integer', '0');
    expectFailure((b) => b.input('x', [1, 4]).conv1d(b.input('w', [1, 1, 3])), 'conv1d', 'shape', 'rank 3', 'f32[1, 4]');
  });
});

describe('conv2d', () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // [[1,2,3],[4,5,6],[7,8,9]]
  const w = [1, 2, 3, 4]; // [[1,2],[3,4]]

  it('correlates a 3x3 input with a 2x2 kernel', () => {
    const y = run((b) => b.input('x', [1, 1, 3, 3]).conv2d(b.input('w', [1, 1, 2, 2])), { x, w });
    expect(y.type.shape).toEqual([1, 1, 2, 2]);
    expect(toArray(y)).toEqual([
      1 * 1 + 2 * 2 + 4 * 3 + 5 * 4, // 37
      2 * 1 + 3 * 2 + 5 * 3 + 6 * 4, // 47
      4 * 1 + 5 * 2 + 7 * 3 + 8 * 4, // 67
      5 * 1 + 6 * 2 + 8 * 3 + 9 * 4, // 77
    ]);
    expect(toArray(y)).toEqual([37, 47, 67, 77]);
  });

  it('with padding 1 and stride 2', () => {
    // Hout = Wout = floor((3 + 2 - 1 - 1) / 2) + 1 = 2; output (r, c) reads rows 2r-1, 2r and cols 2c-1, 2c.
    const y = run((b) => b.input('x', [1, 1, 3, 3]).conv2d(b.input('w', [1, 1, 2, 2]), { padding: 1, stride: 2 }), { x, w });
    expect(y.type.shape).toEqual([1, 1, 2, 2]);
    expect(toArray(y)).toEqual([
      1 * 4, // (0,0): only x[0,0]·w[1,1]
      2 * 3 + 3 * 4, // (0,1): x[0,1]·w[1,0] + x[0,2]·w[1,1] = 18
      4 * 2 + 7 * 4, // (1,0): x[1,0]·w[0,1] + x[2,0]·w[1,1] = 36
      5 * 1 + 6 * 2 + 8 * 3 + 9 * 4, // (1,1): 77
    ]);
  });

  it('with dilation [2, 1] and asymmetric padding', () => {
    // Rows 0 and 2 (dilation 2, Hout = floor((3 - 3) / 1) + 1 = 1); cols c, c+1 with one zero column on the right (Wout = 3).
    const y = run(
      (b) => b.input('x', [1, 1, 3, 3]).conv2d(b.input('w', [1, 1, 2, 2]), { dilation: [2, 1], padding: [[0, 0], [0, 1]] }),
      { x, w },
    );
    expect(y.type.shape).toEqual([1, 1, 1, 3]);
    expect(toArray(y)).toEqual([
      1 * 1 + 2 * 2 + 7 * 3 + 8 * 4, // 58
      2 * 1 + 3 * 2 + 8 * 3 + 9 * 4, // 68
      3 * 1 + 9 * 3, // 30: the right-hand taps fall on the padding
    ]);
  });

  it('sums over input channels', () => {
    // ch1 is all ones with a kernel of ones, adding 4 to each output of the first case.
    const y = run((b) => b.input('x', [1, 2, 3, 3]).conv2d(b.input('w', [1, 2, 2, 2])), { x: [...x, ...Array<number>(9).fill(1)], w: [...w, 1, 1, 1, 1] });
    expect(toArray(y)).toEqual([41, 51, 71, 81]);
  });

  it('rejects a channel/groups mismatch', () => {
    expectFailure((b) => b.input('x', [1, 2, 3, 3]).conv2d(b.input('w', [1, 1, 2, 2])), 'conv2d', 'shape', '2', '1 in w f32[1, 1, 2, 2]');
  });
});
