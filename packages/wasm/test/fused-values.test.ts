import { BINARY_OPS, COMPARE_OPS, GraphBuilder, LOGICAL_OPS, UNARY_OPS, sizeOf, tensor, type DType, type Shape, type UnaryOp } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { isWasmFusible, wasmRules } from '../src/index.js';
import { expectSame, maxUlp, runFused, sampleData } from './fused-harness.js';

// Every fusible primitive against core's CPU rules (f32 precision), through one generated kernel.

const LENGTHS = [0, 1, 3, 4, 5, 37];
const UNARY_DTYPES: Record<UnaryOp, readonly DType[]> = {
  neg: ['f32', 'i32'], abs: ['f32', 'i32'], sign: ['f32', 'i32'], exp: ['f32'], log: ['f32'], sqrt: ['f32'], rsqrt: ['f32'],
  reciprocal: ['f32'], sin: ['f32'], cos: ['f32'], tanh: ['f32'], sigmoid: ['f32'], floor: ['f32'], ceil: ['f32'], round: ['f32'], logicalNot: ['bool'],
};
/** Measured ulp bounds (docs/wasm.md); every other elementwise op is exact. */
const ULP: Partial<Record<string, number>> = { exp: 1, log: 1, sin: 2, cos: 2, tanh: 2, sigmoid: 2, rsqrt: 1 };

/** sin and cos are accurate for |x| ≤ 1e6 (reduction in f64; see docs/wasm.md). */
const REDUCED_RANGE: readonly string[] = ['sin', 'cos'];

function feeds(entries: [string, Shape, DType, number][]) {
  return Object.fromEntries(entries.map(([name, shape, dtype, seed]) => [name, tensor(shape, sampleData(dtype, sizeOf(shape), seed), dtype)]));
}

function check(op: string, run: ReturnType<typeof runFused>) {
  const bound = ULP[op];
  if (bound === undefined) expectSame(run, op);
  else expect(maxUlp(run), op).toBeLessThanOrEqual(bound);
}

describe('wasm rules', () => {
  it('give every primitive a rule, kernels and structure not fusible', () => {
    expect(isWasmFusible('add')).toBe(true);
    expect(isWasmFusible('gather')).toBe(true);
    expect(isWasmFusible('matmul')).toBe(false);
    expect(isWasmFusible('scan')).toBe(false);
    expect(wasmRules.sum.kind).toBe('kernel');
    expect(wasmRules.input.kind).toBe('leaf');
  });
});

describe('fused elementwise kernels against the CPU reference', () => {
  it('unary ops over every dtype and the lengths 0, 1, 3, 4, 5, 37 (SIMD and scalar tails)', () => {
    for (const op of UNARY_OPS) {
      for (const dtype of UNARY_DTYPES[op]) {
        for (const n of LENGTHS) {
          const b = new GraphBuilder();
          const x = b.input('x', [n], dtype);
          const g = b.finish({ out: b.op(op, [x], {}) });
          const data = sampleData(dtype, n, 7 + n).map((v) => (REDUCED_RANGE.includes(op) && Math.abs(v) > 1e6 && Number.isFinite(v) ? v % 1e6 : v));
          check(op, runFused(g, { x: tensor([n], data, dtype) }));
        }
      }
    }
  });

  it('binary arithmetic, comparisons and logic over every dtype, with scalar and row broadcasts', () => {
    const shapes: [Shape, Shape][] = [[[37], [37]], [[5], []], [[], [4]], [[3, 1], [1, 5]], [[2, 3, 4], [3, 1]]];
    const dtypesOf = (op: string): DType[] => (LOGICAL_OPS.includes(op as never) ? ['bool'] : op === 'pow' ? ['f32'] : op === 'equal' || op === 'notEqual' ? ['f32', 'i32', 'u32', 'bool'] : ['f32', 'i32', 'u32']);
    for (const op of [...BINARY_OPS, ...COMPARE_OPS, ...LOGICAL_OPS]) {
      for (const dtype of dtypesOf(op)) {
        for (const [sa, sb] of shapes) {
          const b = new GraphBuilder();
          const g = b.finish({ out: b.op(op, [b.input('a', sa, dtype), b.input('b', sb, dtype)], {}) });
          check(op, runFused(g, feeds([['a', sa, dtype, 3], ['b', sb, dtype, 11]])));
        }
      }
    }
  });

  it('pow equals Math.pow rounded to f32 on a dense grid and its special cases', () => {
    const xs = [0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -8, 10, 1e-3, 1e30, Infinity, -Infinity, NaN, 1e-40];
    const ys = [0, -0, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 1 / 3, 7.25, 100, -100, Infinity, -Infinity, NaN];
    const a = xs.flatMap((x) => ys.map(() => x));
    const y = xs.flatMap(() => ys);
    const b = new GraphBuilder();
    const g = b.finish({ out: b.input('a', [a.length]).pow(b.input('b', [y.length])) });
    expectSame(runFused(g, { a: tensor([a.length], a), b: tensor([y.length], y) }), 'pow specials');
    const n = 4001;
    const b2 = new GraphBuilder();
    const g2 = b2.finish({ out: b2.input('a', [n]).pow(b2.input('b', [n])) });
    const grid = tensor([n], Array.from({ length: n }, (_, k) => Math.fround(0.01 + k * 0.01)));
    const exps = tensor([n], Array.from({ length: n }, (_, k) => Math.fround(-30 + (k * 60) / n)));
    expectSame(runFused(g2, { a: grid, b: exps }), 'pow grid');
  });

  it('where, cast between every pair of dtypes, spike and stopGradient', () => {
    const dtypes: DType[] = ['f32', 'i32', 'u32', 'bool'];
    for (const from of dtypes) {
      for (const to of dtypes) {
        const b = new GraphBuilder();
        const g = b.finish({ out: b.input('x', [37], from).cast(to) });
        expectSame(runFused(g, feeds([['x', [37], from, 5]])), `cast ${from} -> ${to}`);
      }
    }
    for (const dtype of ['f32', 'i32', 'u32', 'bool'] as DType[]) {
      const b = new GraphBuilder();
      const g = b.finish({ out: b.where(b.input('c', [3, 5], 'bool'), b.input('a', [3, 5], dtype), b.input('b', [5], dtype)) });
      expectSame(runFused(g, feeds([['c', [3, 5], 'bool', 1], ['a', [3, 5], dtype, 2], ['b', [5], dtype, 3]])), `where ${dtype}`);
    }
    for (const n of LENGTHS) {
      const b = new GraphBuilder();
      const x = b.input('x', [n]);
      const g = b.finish({ out: x.spike().add(x.stopGradient()) });
      expectSame(runFused(g, feeds([['x', [n], 'f32', 9]])), 'spike + stopGradient');
    }
  });

  it('views, padding, concat, gather and oneHot over odd shapes', () => {
    const cases: [string, (b: GraphBuilder) => ReturnType<GraphBuilder['input']>, [string, Shape, DType][]][] = [
      ['reshape', (b) => b.input('x', [3, 5]).reshape([5, 3]), [['x', [3, 5], 'f32']]],
      ['transpose', (b) => b.input('x', [2, 3, 5], 'i32').transpose([2, 0, 1]), [['x', [2, 3, 5], 'i32']]],
      ['broadcast', (b) => b.input('x', [3, 1], 'u32').broadcastTo([2, 3, 5]), [['x', [3, 1], 'u32']]],
      ['slice', (b) => b.input('x', [7, 9]).slice([1, 2], [6, 9], [2, 3]), [['x', [7, 9], 'f32']]],
      ['pad', (b) => b.input('x', [3, 4], 'i32').pad([[1, 2], [0, 3]], -5), [['x', [3, 4], 'i32']]],
      ['pad bool', (b) => b.input('x', [5], 'bool').pad([[2, 1]], 1), [['x', [5], 'bool']]],
      ['concat', (b) => b.concat([b.input('x', [2, 3]), b.input('y', [2, 1]), b.input('z', [2, 4])], 1), [['x', [2, 3], 'f32'], ['y', [2, 1], 'f32'], ['z', [2, 4], 'f32']]],
      ['concat axis 0', (b) => b.concat([b.input('x', [2, 3], 'i32'), b.input('y', [1, 3], 'i32')], -2), [['x', [2, 3], 'i32'], ['y', [1, 3], 'i32']]],
      ['oneHot', (b) => b.input('k', [7], 'i32').oneHot(5), [['k', [7], 'i32']]],
      ['oneHot u32', (b) => b.input('k', [2, 3], 'u32').oneHot(4), [['k', [2, 3], 'u32']]],
      // A chain mixing views and maps: transpose of a broadcast sum, sliced, through exp and where.
      ['chain', (b) => {
        const x = b.input('x', [3, 4]);
        const y = x.add(b.input('y', [4])).transpose([1, 0]).slice([1, 0], [4, 3]).mul(2);
        return b.where(y.greater(0), y.tanh(), y.neg().exp());
      }, [['x', [3, 4], 'f32'], ['y', [4], 'f32']]],
    ];
    for (const [what, build, inputs] of cases) {
      const b = new GraphBuilder();
      const g = b.finish({ out: build(b) });
      const data = Object.fromEntries(inputs.map(([name, shape, dtype], k) => {
        const values = what.startsWith('oneHot') ? sampleData('i32', sizeOf(shape), 4 + k, false).map((v) => Math.abs(v) % 6) : sampleData(dtype, sizeOf(shape), 4 + k, false);
        return [name, tensor(shape, values, dtype)];
      }));
      const run = runFused(g, data);
      if (what === 'chain') expect(maxUlp(run), what).toBeLessThanOrEqual(2);
      else expectSame(run, what);
    }
  });

  it('gather matches the CPU in range and clamps out-of-range indices', () => {
    for (const dtype of ['i32', 'u32'] as DType[]) {
      const b = new GraphBuilder();
      const g = b.finish({ out: b.input('x', [3, 5, 2]).gather(b.input('k', [2, 3], dtype), 1) });
      const x = tensor([3, 5, 2], sampleData('f32', 30, 8, false));
      expectSame(runFused(g, { x, k: tensor([2, 3], [4, 0, 2, 3, 1, 4], dtype) }), `gather ${dtype}`);
    }
    const b = new GraphBuilder();
    const g = b.finish({ out: b.input('x', [4]).gather(b.input('k', [3], 'i32')) });
    const x = tensor([4], [10, 11, 12, 13]);
    const run = runFused(g, { x, k: tensor([3], [0, 3, 0], 'i32') });
    expectSame(run, 'gather in range');
    // Out of range the CPU throws; the kernel clamps to the first or last row.
    const k = tensor([3], [-4, 9, 2], 'i32');
    expect(() => runFused(g, { x, k })).toThrow(/out of range/);
  });
});
