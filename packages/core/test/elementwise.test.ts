import { describe, expect, it } from 'vitest';
import {
  SURROGATE_NAMES,
  toArray,
  trace,
  type DType,
  type GraphBuilder,
  type HostTensor,
  type Precision,
  type UnaryOp,
} from '../src/index.js';
import { run, seen, rejects } from './support/trace-helpers.js';

/** One unary op on an input of the given values. */
function unary(op: UnaryOp, values: number[], dtype: DType = 'f32', precision: Precision = 'f64'): HostTensor {
  return run((b) => ({ y: b.op(op, [b.input('x', [values.length], dtype)], {}) }), { x: values }, precision).y!;
}

describe('unary math', () => {
  it('neg, abs, sign on f32 and i32', () => {
    expect(toArray(unary('neg', [1.5, -2]))).toEqual([-1.5, 2]);
    expect(toArray(unary('abs', [-3, 2.5, 0]))).toEqual([3, 2.5, 0]);
    expect(toArray(unary('sign', [-2.5, 0, 3]))).toEqual([-1, 0, 1]);
    expect(Object.is(toArray(unary('sign', [-0]))[0], -0)).toBe(true); // sign keeps -0
    expect(toArray(unary('neg', [5, -7], 'i32'))).toEqual([-5, 7]);
    expect(toArray(unary('sign', [-9, 0, 4], 'i32'))).toEqual([-1, 0, 1]);
    // -(-2^31) = 2^31 wraps to -2^31, as does |-2^31|.
    expect(toArray(unary('neg', [-2147483648], 'i32'))).toEqual([-2147483648]);
    expect(toArray(unary('abs', [-2147483648], 'i32'))).toEqual([-2147483648]);
  });

  it('exp, log, sqrt, rsqrt, reciprocal', () => {
    const [e0, e1] = toArray(unary('exp', [0, 1]));
    expect(e0).toBe(1);
    expect(e1).toBeCloseTo(2.718281828459045, 14);
    expect(toArray(unary('exp', [-1000]))).toEqual([0]);
    // log(1) = 0, log(0) = -inf, log(-1) = NaN.
    expect(toArray(unary('log', [1, 0, -1]))).toEqual([0, -Infinity, NaN]);
    expect(toArray(unary('log', [Math.E ** 2]))[0]).toBeCloseTo(2, 14);
    expect(toArray(unary('sqrt', [4, 2.25, 0, -1]))).toEqual([2, 1.5, 0, NaN]);
    expect(toArray(unary('rsqrt', [4, 0.25, 0]))).toEqual([0.5, 2, Infinity]); // 1/sqrt
    expect(toArray(unary('reciprocal', [4, -0.5, 0]))).toEqual([0.25, -2, Infinity]);
  });

  it('sin, cos, tanh', () => {
    const [s0, s1, s2] = toArray(unary('sin', [0, Math.PI / 2, Math.PI / 6]));
    expect([s0, s1]).toEqual([0, 1]);
    expect(s2).toBeCloseTo(0.5, 14);
    expect(toArray(unary('cos', [0, Math.PI]))).toEqual([1, -1]);
    // tanh(1) = (e^2 - 1)/(e^2 + 1) = 6.389056/8.389056 = 0.761594...
    const [t0, t1, t2, t3] = toArray(unary('tanh', [0, 1, 1000, -1000]));
    expect([t0, t2, t3]).toEqual([0, 1, -1]);
    expect(t1).toBeCloseTo(0.7615941559557649, 14);
  });

  it('sigmoid is stable at both extremes', () => {
    // 1/(1 + e^-2) = 1/1.1353352832366127 = 0.880797...; sigmoid(-2) = 1 - that.
    const [a, b, c, d, e] = toArray(unary('sigmoid', [0, 2, -2, -1000, 1000]));
    expect(a).toBe(0.5);
    expect(b).toBeCloseTo(0.8807970779778823, 14);
    expect(c).toBeCloseTo(0.11920292202211755, 14);
    expect(d).toBe(0); // e^-1000 underflows to 0: 0/(1+0), not inf/inf
    expect(e).toBe(1);
  });

  it('floor, ceil, and round half to even', () => {
    expect(toArray(unary('floor', [-1.5, 1.5, 2]))).toEqual([-2, 1, 2]);
    expect(toArray(unary('ceil', [-1.5, 1.5, 2]))).toEqual([-1, 2, 2]);
    // Ties go to the even neighbour: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2; others to the nearest.
    expect(toArray(unary('round', [2.5, 3.5, -2.5, 0.4, 1.6, -1.6, 0.5]))).toEqual([2, 4, -2, 0, 2, -2, 0]);
    const [r] = toArray(unary('round', [-0.5]));
    expect(r === 0).toBe(true); // -0 (IEEE roundeven keeps the sign)
    expect(Object.is(r, -0)).toBe(true);
  });

  it('logicalNot flips bool', () => {
    const y = unary('logicalNot', [1, 0], 'bool');
    expect(seen(y)).toEqual({ shape: [2], dtype: 'bool', values: [0, 1] });
  });

  it('f32 precision rounds each result to float32', () => {
    // sqrt(2) = 1.41421356237...; the nearest float32 is 1.4142135381698608.
    expect(toArray(unary('sqrt', [2], 'f32', 'f32'))).toEqual([1.4142135381698608]);
    expect(toArray(unary('sqrt', [2], 'f32', 'f64'))).toEqual([1.4142135623730951]);
  });
});

describe('binary arithmetic with broadcasting', () => {
  it('[3] + [2, 1] -> [2, 3]', () => {
    const { y } = run((b) => ({ y: b.input('a', [3]).add(b.input('b', [2, 1])) }), { a: [1, 2, 3], b: [10, 20] });
    expect(seen(y!)).toEqual({ shape: [2, 3], dtype: 'f32', values: [11, 12, 13, 21, 22, 23] });
  });

  it('scalar and tensor, on either side', () => {
    const { y, z } = run(
      (b) => {
        const x = b.input('x', [2, 2]);
        return { y: x.mul(3), z: b.constant(5).sub(x) };
      },
      { x: [1, 2, 3, 4] },
    );
    expect(seen(y!)).toEqual({ shape: [2, 2], dtype: 'f32', values: [3, 6, 9, 12] });
    expect(seen(z!)).toEqual({ shape: [2, 2], dtype: 'f32', values: [4, 3, 2, 1] }); // 5 - x
  });

  it('[1] + [0] -> [0] (a zero-size result)', () => {
    const { y } = run((b) => ({ y: b.input('a', [1]).add(b.input('b', [0])) }), { a: [7], b: [] });
    expect(seen(y!)).toEqual({ shape: [0], dtype: 'f32', values: [] });
  });

  it('[2, 1, 3] * [4, 1] -> [2, 4, 3]', () => {
    // out[i][j][k] = a[i][0][k] * b[j][0]
    const { y } = run((b) => ({ y: b.input('a', [2, 1, 3]).mul(b.input('b', [4, 1])) }), {
      a: [1, 2, 3, 4, 5, 6],
      b: [1, 2, 3, 4],
    });
    expect(seen(y!)).toEqual({
      shape: [2, 4, 3],
      dtype: 'f32',
      values: [1, 2, 3, 2, 4, 6, 3, 6, 9, 4, 8, 12, 4, 5, 6, 8, 10, 12, 12, 15, 18, 16, 20, 24],
    });
  });

  it('sub, div, pow, maximum, minimum on f32', () => {
    const { sub, div, pow, max, min } = run(
      (b) => {
        const a = b.input('a', [4]);
        const c = b.input('c', [4]);
        return { sub: a.sub(c), div: a.div(c), pow: a.pow(c), max: a.maximum(c), min: a.minimum(c) };
      },
      { a: [2, 9, -1, 0], c: [3, 0.5, 0, 0] },
    );
    expect(toArray(sub!)).toEqual([-1, 8.5, -1, 0]);
    expect(toArray(div!)).toEqual([2 / 3, 18, -Infinity, NaN]); // -1/0 = -inf, 0/0 = NaN
    expect(toArray(pow!)).toEqual([8, 3, 1, 1]); // 2^3, 9^0.5, (-1)^0, 0^0
    expect(toArray(max!)).toEqual([3, 9, 0, 0]);
    expect(toArray(min!)).toEqual([2, 0.5, -1, 0]);
  });

  it('f32 precision: 0.1 + 0.2 is the float32 sum, f64 the float64 one', () => {
    const build = (b: GraphBuilder) => ({ y: b.input('a', []).add(b.input('c', [])) });
    // f32(0.1) + f32(0.2) = 0.3000000044703...; the nearest float32 is 0.30000001192092896.
    expect(toArray(run(build, { a: 0.1, c: 0.2 }, 'f32').y!)).toEqual([0.30000001192092896]);
    expect(toArray(run(build, { a: 0.1, c: 0.2 }, 'f64').y!)).toEqual([0.30000000000000004]);
  });

  it('i32 wraps modulo 2^32', () => {
    const { add, sub, mul } = run(
      (b) => {
        const a = b.input('a', [3], 'i32');
        const c = b.input('c', [3], 'i32');
        return { add: a.add(c), sub: a.sub(c), mul: a.mul(c) };
      },
      { a: [2147483647, -2147483648, 2147483647], c: [1, 1, 2147483647] },
    );
    expect(seen(add!)).toEqual({ shape: [3], dtype: 'i32', values: [-2147483648, -2147483647, -2] }); // 2^31 - 1 + 1 wraps
    expect(toArray(sub!)).toEqual([2147483646, 2147483647, 0]); // -2^31 - 1 wraps to 2^31 - 1
    // (2^31 - 1)^2 = 2^62 - 2^32 + 1 = 1 mod 2^32 (a float64 product would lose the low bits).
    expect(toArray(mul!)).toEqual([2147483647, -2147483648, 1]);
  });

  it('i32 division truncates toward zero and gives 0 on division by zero', () => {
    const { y } = run((b) => ({ y: b.input('a', [6], 'i32').div(b.input('c', [6], 'i32')) }), {
      a: [7, -7, 7, -7, 5, -2147483648],
      c: [2, 2, -2, -2, 0, -1],
    });
    // -2^31 / -1 = 2^31 wraps to -2^31.
    expect(toArray(y!)).toEqual([3, -3, -3, 3, 0, -2147483648]);
  });

  it('u32 wraps and divides as unsigned', () => {
    const { add, sub, mul, div, max } = run(
      (b) => {
        const a = b.input('a', [2], 'u32');
        const c = b.input('c', [2], 'u32');
        return { add: a.add(c), sub: a.sub(c), mul: a.mul(c), div: a.div(c), max: a.maximum(c) };
      },
      { a: [4294967295, 0], c: [2, 1] },
    );
    expect(seen(add!)).toEqual({ shape: [2], dtype: 'u32', values: [1, 1] }); // 2^32 - 1 + 2 = 1 mod 2^32
    expect(toArray(sub!)).toEqual([4294967293, 4294967295]); // 0 - 1 = 2^32 - 1
    expect(toArray(mul!)).toEqual([4294967294, 0]); // 2 * (2^32 - 1) = 2^33 - 2 = 2^32 - 2 mod 2^32
    expect(toArray(div!)).toEqual([2147483647, 0]);
    expect(toArray(max!)).toEqual([4294967295, 1]);
  });
});

describe('comparisons and logic', () => {
  it('compare against a broadcast scalar, giving bool', () => {
    const out = run(
      (b) => {
        const x = b.input('x', [3]);
        return {
          less: x.less(2),
          lessEqual: x.lessEqual(2),
          greater: x.greater(2),
          greaterEqual: x.greaterEqual(2),
          equal: x.equal(2),
          notEqual: x.notEqual(2),
        };
      },
      { x: [1, 2, 3] },
    );
    expect(seen(out.less!)).toEqual({ shape: [3], dtype: 'bool', values: [1, 0, 0] });
    expect(toArray(out.lessEqual!)).toEqual([1, 1, 0]);
    expect(toArray(out.greater!)).toEqual([0, 0, 1]);
    expect(toArray(out.greaterEqual!)).toEqual([0, 1, 1]);
    expect(toArray(out.equal!)).toEqual([0, 1, 0]);
    expect(toArray(out.notEqual!)).toEqual([1, 0, 1]);
  });

  it('NaN is unequal to everything; u32 compares as unsigned', () => {
    const { eq, ne, gt } = run(
      (b) => {
        const x = b.input('x', [2]);
        const u = b.input('u', [2], 'u32');
        return { eq: x.equal(x), ne: x.notEqual(x), gt: u.greater(1) };
      },
      { x: [NaN, 1], u: [4294967295, 0] },
    );
    expect(toArray(eq!)).toEqual([0, 1]);
    expect(toArray(ne!)).toEqual([1, 0]);
    expect(toArray(gt!)).toEqual([1, 0]); // 2^32 - 1 > 1, not -1 > 1
  });

  it('logicalAnd, logicalOr, and equality on bool', () => {
    const { and, or, eq } = run(
      (b) => {
        const p = b.input('p', [4], 'bool');
        const q = b.input('q', [4], 'bool');
        return { and: p.logicalAnd(q), or: p.logicalOr(q), eq: p.equal(q) };
      },
      { p: [1, 1, 0, 0], q: [1, 0, 1, 0] },
    );
    expect(seen(and!)).toEqual({ shape: [4], dtype: 'bool', values: [1, 0, 0, 0] });
    expect(toArray(or!)).toEqual([1, 1, 1, 0]);
    expect(toArray(eq!)).toEqual([1, 0, 0, 1]);
  });
});

describe('where', () => {
  it('broadcasts cond [2, 1], a [3] and a scalar b', () => {
    const { y } = run((b) => ({ y: b.where(b.input('c', [2, 1], 'bool'), b.input('a', [3]), b.constant(0)) }), { c: [1, 0], a: [1, 2, 3] });
    expect(seen(y!)).toEqual({ shape: [2, 3], dtype: 'f32', values: [1, 2, 3, 0, 0, 0] });
  });

  it('selects elementwise on i32, cond broadcast along rows', () => {
    const { y } = run((b) => ({ y: b.where(b.input('c', [3], 'bool'), b.input('a', [2, 3], 'i32'), b.input('e', [2, 1], 'i32')) }), {
      c: [1, 0, 1],
      a: [1, 2, 3, 4, 5, 6],
      e: [-1, -2],
    });
    expect(seen(y!)).toEqual({ shape: [2, 3], dtype: 'i32', values: [1, -1, 3, 4, -2, 6] });
  });
});

describe('cast', () => {
  function cast(values: number[], from: DType, to: DType, precision: Precision = 'f64'): number[] {
    return toArray(run((b) => ({ y: b.input('x', [values.length], from).cast(to) }), { x: values }, precision).y!);
  }

  it('f32 -> i32 truncates toward zero and saturates; NaN -> 0', () => {
    expect(cast([2.7, -2.7, 3e9, -3e9, NaN], 'f32', 'i32')).toEqual([2, -2, 2147483647, -2147483648, 0]);
  });

  it('f32 -> u32 truncates and saturates at 0 and 2^32 - 1', () => {
    expect(cast([2.7, -1.5, 5e9, NaN], 'f32', 'u32')).toEqual([2, 0, 4294967295, 0]);
  });

  it('to bool is x != 0; bool to numbers is 0/1', () => {
    expect(cast([0, -0, 0.5, -3, NaN], 'f32', 'bool')).toEqual([0, 0, 1, 1, 1]);
    expect(cast([0, 7, -1], 'i32', 'bool')).toEqual([0, 1, 1]);
    expect(cast([1, 0], 'bool', 'f32')).toEqual([1, 0]);
    expect(cast([1, 0], 'bool', 'u32')).toEqual([1, 0]);
  });

  it('i32 <-> u32 reinterpret modulo 2^32', () => {
    expect(cast([-1, 5], 'i32', 'u32')).toEqual([4294967295, 5]);
    expect(cast([4294967295, 2147483648], 'u32', 'i32')).toEqual([-1, -2147483648]);
  });

  it('i32 -> f32 rounds to float32 under f32 precision', () => {
    // 2^24 + 1 is not a float32; ties to even give 2^24.
    expect(cast([16777217], 'i32', 'f32', 'f32')).toEqual([16777216]);
    expect(cast([16777217], 'i32', 'f32', 'f64')).toEqual([16777217]);
  });

  it('sets the output dtype', () => {
    const { y } = run((b) => ({ y: b.input('x', [1]).cast('i32') }), { x: [1.5] });
    expect(seen(y!)).toEqual({ shape: [1], dtype: 'i32', values: [1] });
  });
});

describe('spike and stopGradient', () => {
  it('spike is 1 where x >= 0 (0 fires), f32 out', () => {
    const { y } = run((b) => ({ y: b.input('x', [5]).spike() }), { x: [-0.1, 0, 0.1, -0, NaN] });
    expect(seen(y!)).toEqual({ shape: [5], dtype: 'f32', values: [0, 1, 1, 1, 0] });
  });

  it('accepts every named surrogate and a custom derivative of x type', () => {
    const out = run(
      (b) => {
        const x = b.input('x', [2]);
        const named = Object.fromEntries(SURROGATE_NAMES.map((name) => [name, x.spike(name)]));
        return { ...named, custom: x.spike({ derivative: (_b, v) => v.abs().neg().exp() }) };
      },
      { x: [-1, 1] },
    );
    expect(Object.keys(out)).toHaveLength(SURROGATE_NAMES.length + 1);
    // The surrogate only shapes the gradient; the forward value is the step.
    for (const y of Object.values(out)) expect(toArray(y)).toEqual([0, 1]);
  });

  it('stopGradient is the identity', () => {
    const { y, k } = run(
      (b) => ({ y: b.input('x', [2, 2]).stopGradient(), k: b.input('i', [2], 'i32').stopGradient() }),
      { x: [1, -2, 3.5, 0], i: [-4, 9] },
    );
    expect(seen(y!)).toEqual({ shape: [2, 2], dtype: 'f32', values: [1, -2, 3.5, 0] });
    expect(seen(k!)).toEqual({ shape: [2], dtype: 'i32', values: [-4, 9] });
  });
});

describe('errors name the node and say what was expected', () => {
  it('shapes that do not broadcast', () => {
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.input('a', [3]).add(b.input('b', [2])) })),
      'shape',
      ["'layer1/add'", 'do not broadcast', 'expected shapes equal or 1', 'found [3] and [2]'],
    );
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.where(b.input('c', [2], 'bool'), b.input('a', [3]), b.input('e', [3])) })),
      'shape',
      ["'layer1/where'", 'found [2] and [3] and [3]'],
    );
  });

  it('mixed dtypes', () => {
    rejects((b) => b.scope('layer1', () => ({ y: b.input('a', [2]).add(b.input('b', [2], 'i32')) })), 'dtype', [
      "'layer1/add'",
      'one dtype',
      'expected f32 and f32',
      'found f32 and i32',
    ]);
    rejects((b) => b.scope('layer1', () => ({ y: b.where(b.input('c', [2], 'bool'), b.input('a', [2]), b.input('e', [2], 'u32')) })), 'dtype', [
      "'layer1/where'",
      'found f32 and u32',
    ]);
  });

  it('ops on dtypes they do not take', () => {
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2]).logicalNot() })), 'dtype', ["'layer1/logicalNot'", 'expected bool', 'found f32']);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'u32').neg() })), 'dtype', ["'layer1/neg'", 'expected f32 or i32', 'found u32']);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'i32').exp() })), 'dtype', ["'layer1/exp'", 'expected f32', 'found i32']);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'i32').pow(2) })), 'dtype', ["'layer1/pow'", 'expected f32', 'found i32']);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'bool').add(b.input('z', [2], 'bool')) })), 'dtype', [
      "'layer1/add'",
      'expected f32 or i32 or u32',
      'found bool',
    ]);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2]).logicalAnd(b.input('z', [2])) })), 'dtype', ["'layer1/logicalAnd'", 'expected bool', 'found f32']);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'bool').less(b.input('z', [2], 'bool')) })), 'dtype', ["'layer1/less'", 'found bool']);
    rejects((b) => b.scope('layer1', () => ({ y: b.where(b.input('c', [2]), 1, 0) })), 'dtype', ["'layer1/where'", 'where condition', 'expected bool', 'found f32']);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'i32').spike() })), 'dtype', ["'layer1/spike'", 'expected f32', 'found i32']);
  });

  it('wrong arity and a bad cast dtype', () => {
    rejects((b) => b.scope('layer1', () => ({ y: b.op('add', [b.input('x', [2])], {}) })), 'arity', ["'layer1/add'", 'add takes 2 inputs', 'expected 2', 'found 1']);
    rejects((b) => b.scope('layer1', () => ({ y: b.op('cast', [b.input('x', [2])], { dtype: 'f16' as DType }) })), 'attr', [
      "'layer1/cast'",
      'expected f32, i32, u32, bool',
      'found "f16"',
    ]);
  });

  it('bad surrogates', () => {
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2]).spike({ kind: 'atan', alpha: -1 }) })), 'attr', [
      "'layer1/spike'",
      'finite positive alpha',
      'found -1',
    ]);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2]).spike({ kind: 'erf', alpha: Infinity }) })), 'attr', ["'layer1/spike'", 'found Infinity']);
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.op('spike', [b.input('x', [2])], { surrogate: { kind: 'nope', alpha: 1 } as never }) })),
      'attr',
      ["'layer1/spike'", 'unknown surrogate', 'expected one of sigmoid, atan', 'custom', 'found "nope"'],
    );
    rejects(
      (b) => b.scope('layer1', () => ({ y: b.input('x', [3]).spike({ derivative: (d, v) => v.mul(d.param('k', [], { kind: 'ones' })) }) })),
      'attr',
      ["'layer1/spike'", 'one input, one output, no params or state', 'found 1 inputs, 1 outputs, 1 params, 0 state'],
    );
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [3]).spike({ derivative: (_b, v) => v.sum() }) })), 'shape', [
      "'layer1/spike'",
      "derivative's output",
      'expected f32[3]',
      'found f32[]',
    ]);
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [3]).spike({ derivative: (_b, v) => v.greater(0) }) })), 'shape', [
      "'layer1/spike'",
      'found bool[3]',
    ]);
  });
});
