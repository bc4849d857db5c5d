import { describe, expect, it } from 'vitest';
import { SpikeflowError } from '../src/errors.js';
import type { Graph } from '../src/graph.js';
import { initialValue, initParams } from '../src/init.js';
import { tensor, toArray, type HostTensor, type Precision } from '../src/host-tensor.js';
import type { Initializer, RandomAttrs } from '../src/primitives.js';
import { boxMuller, fnv1a32, mulhi32, philox4x32, u32ToUniform, type U32x2, type U32x4 } from '../src/rng/philox.js';
import { randomCpu, randomInfer } from '../src/rules/random.js';
import type { CpuContext } from '../src/rules/rule-types.js';
import type { TensorType } from '../src/types.js';

const WHERE = 'net/layer/noise';

function ctx(precision: Precision = 'f32'): CpuContext {
  return {
    where: WHERE,
    precision,
    leafValue: () => {
      throw new Error('no leaf');
    },
    runSubgraph: () => {
      throw new Error('no subgraph');
    },
  };
}

const f32 = (shape: number[]): TensorType => ({ shape, dtype: 'f32' });
const step = (c: number, dtype: 'i32' | 'u32' = 'i32'): HostTensor => tensor([], c, dtype);

function uniform(shape: number[], seed: number, counter: number, precision: Precision = 'f32'): number[] {
  return toArray(randomCpu.uniform([step(counter)], { shape, seed }, f32(shape), ctx(precision)) as HostTensor);
}
function normal(shape: number[], seed: number, counter: number): number[] {
  return toArray(randomCpu.normal([step(counter)], { shape, seed }, f32(shape), ctx()) as HostTensor);
}
function bernoulli(shape: number[], seed: number, counter: number, p: HostTensor): number[] {
  return toArray(randomCpu.bernoulli([step(counter), p], { shape, seed }, f32(shape), ctx()) as HostTensor);
}

function moments(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, variance };
}

/** |estimate - truth| within 3 standard errors. */
function expectWithin3SE(estimate: number, truth: number, se: number): void {
  expect(Math.abs(estimate - truth)).toBeLessThan(3 * se);
}

function expectRejected(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeflowError);
    expect((e as SpikeflowError).code).toBe(code);
    expect((e as SpikeflowError).message).toContain(WHERE);
    return;
  }
  throw new Error('expected a SpikeflowError');
}

const hex = (words: readonly number[]) => words.map((w) => w.toString(16).padStart(8, '0'));

describe('philox4x32-10', () => {
  // Known-answer tests from Random123's kat_vectors.
  const kats: [U32x4, U32x2, string[]][] = [
    [[0, 0, 0, 0], [0, 0], ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      ['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd'],
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      ['d16cfe09', '94fdcceb', '5001e420', '24126ea1'],
    ],
  ];
  it.each(kats)('matches the Random123 vector for counter %j key %j', (counter, key, expected) => {
    expect(hex(philox4x32(counter, key))).toEqual(expected);
  });

  it('mulhi32 equals the high word of the exact 64-bit product', () => {
    const samples = [0, 1, 0xffff, 0x10000, 0xd2511f53, 0xcd9e8d57, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678];
    for (const a of samples) {
      for (const b of samples) expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });

  it('maps u32 to [0, 1) with 24 bits, and Box-Muller survives u = 0', () => {
    expect(u32ToUniform(0)).toBe(0);
    expect(u32ToUniform(0xffffffff)).toBe(1 - 2 ** -24);
    expect(Math.fround(u32ToUniform(0xdeadbeef))).toBe(u32ToUniform(0xdeadbeef));
    expect(boxMuller(0, 0) === 0).toBe(true); // log(1 - 0) = 0: a (signed) zero, not -Infinity or NaN
    expect(Number.isFinite(boxMuller(1 - 2 ** -24, 0.25))).toBe(true);
  });

  it('hashes names with 32-bit FNV-1a', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
});

describe('random stream layout', () => {
  it('element i of uniform(seed, counter) is word 0 of philox([i, counter, 0, 0], [seed lo, seed hi])', () => {
    const seed = 2 ** 40 + 12345;
    const got = uniform([5], seed, 7);
    const want = [0, 1, 2, 3, 4].map((i) => u32ToUniform(philox4x32([i, 7, 0, 0], [seed >>> 0, Math.floor(seed / 2 ** 32)])[0]));
    expect(got).toEqual(want);
  });

  it('element i of normal is Box-Muller on words 0 and 1', () => {
    const w = philox4x32([3, 2, 0, 0], [9, 0]);
    const z = Math.fround(boxMuller(u32ToUniform(w[0]), u32ToUniform(w[1])));
    expect(normal([4], 9, 2)[3]).toBe(z);
  });

  it('an i32 counter is reinterpreted as u32', () => {
    const a = toArray(randomCpu.uniform([step(-1, 'i32')], { shape: [8], seed: 3 }, f32([8]), ctx()) as HostTensor);
    const b = toArray(randomCpu.uniform([step(0xffffffff, 'u32')], { shape: [8], seed: 3 }, f32([8]), ctx()) as HostTensor);
    expect(a).toEqual(b);
  });

  it('uniform is exact in f32, so f64 precision gives the same numbers', () => {
    expect(uniform([64], 5, 1, 'f64')).toEqual(uniform([64], 5, 1, 'f32'));
  });
});

describe('determinism', () => {
  it('same seed and counter give identical arrays', () => {
    expect(uniform([3, 4], 42, 10)).toEqual(uniform([3, 4], 42, 10));
    expect(normal([3, 4], 42, 10)).toEqual(normal([3, 4], 42, 10));
    const p = tensor([], 0.5);
    expect(bernoulli([64], 42, 10, p)).toEqual(bernoulli([64], 42, 10, p));
  });

  it('a different counter or seed gives different arrays', () => {
    const base = uniform([16], 42, 10);
    expect(uniform([16], 42, 11)).not.toEqual(base);
    expect(uniform([16], 43, 10)).not.toEqual(base);
    expect(uniform([16], 42 + 2 ** 32, 10)).not.toEqual(base); // the seed's high bits count
    expect(normal([16], 42, 11)).not.toEqual(normal([16], 42, 10));
  });

  it('a larger tensor extends a smaller one (per-element, no coordination)', () => {
    expect(uniform([100], 1, 2).slice(0, 10)).toEqual(uniform([10], 1, 2));
  });
});

describe('distributions (10^5 draws, within 3 standard errors)', () => {
  const n = 100_000;

  it('uniform: values in [0, 1), mean 1/2, variance 1/12', () => {
    const xs = uniform([n], 2024, 0);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const { mean, variance } = moments(xs);
    expectWithin3SE(mean, 0.5, Math.sqrt(1 / 12 / n));
    expectWithin3SE(variance, 1 / 12, Math.sqrt((1 / 80 - (1 / 12) ** 2) / n));
  });

  it('normal: mean 0, variance 1', () => {
    const xs = normal([n], 2024, 0);
    expect(xs.every(Number.isFinite)).toBe(true);
    const { mean, variance } = moments(xs);
    expectWithin3SE(mean, 0, Math.sqrt(1 / n));
    expectWithin3SE(variance, 1, Math.sqrt((3 - 1) / n));
  });

  it('bernoulli(p = 0.3): values 0/1 with mean 0.3', () => {
    const xs = bernoulli([n], 2024, 0, tensor([], 0.3));
    expect(xs.every((x) => x === 0 || x === 1)).toBe(true);
    expectWithin3SE(moments(xs).mean, 0.3, Math.sqrt((0.3 * 0.7) / n));
  });
});

describe('bernoulli', () => {
  it('is 1 exactly where the uniform of the same seed and counter is below p', () => {
    const u = uniform([200], 8, 4);
    expect(bernoulli([200], 8, 4, tensor([], 0.37))).toEqual(u.map((x) => (x < Math.fround(0.37) ? 1 : 0)));
  });

  it('broadcasts p over the output shape', () => {
    // p [3, 1] over [3, 4]: row 0 never fires, row 1 always, row 2 as the uniform says.
    const out = bernoulli([3, 4], 6, 1, tensor([3, 1], [0, 1, 0.5]));
    const u = uniform([3, 4], 6, 1);
    expect(out.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(out.slice(4, 8)).toEqual([1, 1, 1, 1]);
    expect(out.slice(8)).toEqual(u.slice(8).map((x) => (x < 0.5 ? 1 : 0)));
    // p [4] over [2, 4]: per-column probabilities.
    const cols = bernoulli([2, 4], 6, 1, tensor([4], [1, 0, 1, 0]));
    expect(cols).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
  });
});

describe('randomInfer', () => {
  const attrs: RandomAttrs = { shape: [2, 3], seed: 1 };
  const scalarI32: TensorType = { shape: [], dtype: 'i32' };

  it('gives f32 of attrs.shape', () => {
    expect(randomInfer.uniform([scalarI32], attrs, WHERE)).toEqual(f32([2, 3]));
    expect(randomInfer.normal([{ shape: [], dtype: 'u32' }], attrs, WHERE)).toEqual(f32([2, 3]));
    expect(randomInfer.bernoulli([scalarI32, f32([3])], attrs, WHERE)).toEqual(f32([2, 3]));
    expect(randomInfer.bernoulli([scalarI32, f32([])], attrs, WHERE)).toEqual(f32([2, 3]));
  });

  it('rejects a non-scalar counter', () => {
    expectRejected(() => randomInfer.uniform([{ shape: [1], dtype: 'i32' }], attrs, WHERE), 'shape');
  });

  it('rejects a float counter', () => {
    expectRejected(() => randomInfer.normal([f32([])], attrs, WHERE), 'dtype');
  });

  it('rejects a p that does not broadcast to the output shape', () => {
    expectRejected(() => randomInfer.bernoulli([scalarI32, f32([4])], attrs, WHERE), 'shape');
    // Broadcastable jointly, but it would enlarge the output.
    expectRejected(() => randomInfer.bernoulli([scalarI32, f32([5, 2, 3])], attrs, WHERE), 'shape');
    expectRejected(() => randomInfer.bernoulli([scalarI32, { shape: [3], dtype: 'i32' }], attrs, WHERE), 'dtype');
  });

  it('rejects a bad seed or shape', () => {
    expectRejected(() => randomInfer.uniform([scalarI32], { shape: [2], seed: -1 }, WHERE), 'attr');
    expectRejected(() => randomInfer.uniform([scalarI32], { shape: [2], seed: 1.5 }, WHERE), 'attr');
    expectRejected(() => randomInfer.uniform([scalarI32], { shape: [2], seed: 2 ** 53 }, WHERE), 'attr');
    expectRejected(() => randomInfer.uniform([scalarI32], { shape: [2, -1], seed: 0 }, WHERE), 'attr');
  });

  it('rejects the wrong number of inputs', () => {
    expectRejected(() => randomInfer.uniform([], attrs, WHERE), 'arity');
    expectRejected(() => randomInfer.bernoulli([scalarI32], attrs, WHERE), 'arity');
  });
});

describe('initializers', () => {
  const init = (i: Initializer, type: TensorType, name = 'params.w', seed = 0) => toArray(initialValue(i, type, 'f32', name, seed));

  it('zeros, ones, fill and values', () => {
    expect(init({ kind: 'zeros' }, f32([2, 2]))).toEqual([0, 0, 0, 0]);
    expect(init({ kind: 'ones' }, f32([3]))).toEqual([1, 1, 1]);
    expect(init({ kind: 'fill', value: 0.5 }, f32([2]))).toEqual([0.5, 0.5]);
    expect(init({ kind: 'values', values: [1, 2, 3, 4, 5, 6] }, f32([2, 3]))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(init({ kind: 'fill', value: 3 }, { shape: [2], dtype: 'i32' })).toEqual([3, 3]);
    expect(init({ kind: 'values', values: [0, 2] }, { shape: [2], dtype: 'bool' })).toEqual([0, 1]);
    expect(init({ kind: 'ones' }, f32([]))).toEqual([1]);
  });

  it('rejects values of the wrong length, naming the param', () => {
    expect(() => init({ kind: 'values', values: [1, 2, 3] }, f32([2, 2]), 'params.readout.w')).toThrow(/params\.readout\.w/);
    try {
      init({ kind: 'values', values: [1, 2, 3] }, f32([2, 2]), 'params.readout.w');
    } catch (e) {
      expect((e as SpikeflowError).code).toBe('attr');
      expect((e as SpikeflowError).where).toBe('params.readout.w');
    }
  });

  it('uniform lies in [low, high), is reproducible, and depends on seed and name', () => {
    const u = init({ kind: 'uniform', low: -0.25, high: 0.75 }, f32([1000]));
    expect(u.every((x) => x >= -0.25 && x < 0.75)).toBe(true);
    expect(init({ kind: 'uniform', low: -0.25, high: 0.75 }, f32([1000]))).toEqual(u);
    expect(init({ kind: 'uniform', low: -0.25, high: 0.75 }, f32([1000]), 'params.w', 1)).not.toEqual(u);
    expect(init({ kind: 'uniform', low: -0.25, high: 0.75 }, f32([1000]), 'params.v')).not.toEqual(u);
    expect(Math.abs(moments(u).mean - 0.25)).toBeLessThan(3 * Math.sqrt(1 / 12 / 1000));
  });

  it('uniform never reaches high, even where rounding would land on it', () => {
    // With high - low tiny relative to low, low + (high - low) * u rounds to high for u near 1.
    const low = 1;
    const high = 1 + 2 ** -22;
    const xs = init({ kind: 'uniform', low, high }, f32([4096]));
    expect(xs.every((x) => x >= low && x < high)).toBe(true);
  });

  it('normal has the requested mean and std', () => {
    const xs = init({ kind: 'normal', mean: 2, std: 0.5 }, f32([20_000]));
    const { mean, variance } = moments(xs);
    expectWithin3SE(mean, 2, Math.sqrt(0.25 / 20_000));
    expectWithin3SE(variance, 0.25, Math.sqrt((3 * 0.5 ** 4 - 0.5 ** 4) / 20_000));
  });

  it('rejects nonsense random initializers', () => {
    expect(() => init({ kind: 'uniform', low: 1, high: 0 }, f32([2]))).toThrow(/params\.w/);
    expect(() => init({ kind: 'normal', mean: 0, std: -1 }, f32([2]))).toThrow(/params\.w/);
    expect(() => init({ kind: 'normal', mean: 0, std: 1 }, { shape: [2], dtype: 'i32' })).toThrow(SpikeflowError);
    expect(() => init({ kind: 'zeros' }, f32([2]), 'params.w', -3)).toThrow(SpikeflowError);
  });
});

describe('initParams', () => {
  const param = (id: string, shape: number[], initializer: Initializer) => ({
    id,
    op: 'param' as const,
    inputs: [],
    attrs: { name: id, shape, dtype: 'f32' as const, init: initializer },
    type: f32(shape),
    name: `model/${id}`,
  });
  const graph: Graph = {
    nodes: {
      w: param('w', [4, 3], { kind: 'uniform', low: -1, high: 1 }),
      v: param('v', [4, 3], { kind: 'uniform', low: -1, high: 1 }),
      b: param('b', [3], { kind: 'fill', value: 0.1 }),
    },
    inputs: [],
    params: ['w', 'v', 'b'],
    state: [],
    outputs: [],
  };

  it('initializes every param by name, reproducibly per seed', () => {
    const a = initParams(graph, { seed: 7 });
    expect(Object.keys(a).sort()).toEqual(['b', 'v', 'w']);
    expect(a.w!.type).toEqual(f32([4, 3]));
    expect(toArray(a.b!)).toEqual([0.1, 0.1, 0.1].map(Math.fround));
    expect(toArray(a.w!)).not.toEqual(toArray(a.v!)); // same shape and init, different names
    expect(toArray(a.w!)).toEqual(toArray(initialValue({ kind: 'uniform', low: -1, high: 1 }, f32([4, 3]), 'f32', 'w', 7)));
    const again = initParams(graph, { seed: 7 });
    expect(toArray(again.w!)).toEqual(toArray(a.w!));
    expect(toArray(initParams(graph, { seed: 8 }).w!)).not.toEqual(toArray(a.w!));
    expect(initParams(graph, { precision: 'f64' }).w!.data).toBeInstanceOf(Float64Array);
  });

  it('names the param when its initializer is bad', () => {
    const bad: Graph = { ...graph, nodes: { ...graph.nodes, b: param('b', [3], { kind: 'values', values: [1] }) } };
    expect(() => initParams(bad)).toThrow(/at 'b'/);
  });
});
