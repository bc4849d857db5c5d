import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '../src/dtype.js';
import type { Graph } from '../src/graph.js';
import { initParams } from '../src/init.js';
import { evaluate } from '../src/interpreter/evaluate.js';
import { toArray } from '../src/host-tensor.js';
import { graphFromJSON, graphToJSON } from '../src/json/graph-json.js';
import { BINARY_OPS, COMPARE_OPS, REDUCE_OPS, UNARY_OPS, type BinaryOp, type CompareOp, type Initializer, type ReduceOp, type UnaryOp } from '../src/primitives.js';
import { SURROGATE_NAMES, type SurrogateName } from '../src/surrogate.js';
import { trace, type GraphBuilder } from '../src/trace/builder.js';
import type { Tensor } from '../src/trace/builder.js';
import { broadcastShapes, sizeOf } from '../src/types.js';
import { validateGraph } from '../src/validate.js';

/**
 * Random graphs, traced from random programs: each step reads tensors of a pool (by index modulo
 * its size) and adds its result, so later steps build on earlier ones and the graph is a random
 * DAG. Every pool tensor is f32; steps adapt operands whose shapes would not fit (a binary op
 * sums one operand to a scalar, a matmul makes its weight from the other's K).
 */

const FLOAT_UNARY = UNARY_OPS.filter((op): op is Exclude<UnaryOp, 'logicalNot'> => op !== 'logicalNot');

type Step =
  | { kind: 'unary'; op: UnaryOp; a: number }
  | { kind: 'binary'; op: BinaryOp; a: number; b: number }
  | { kind: 'where'; cmp: CompareOp; a: number; b: number; c: number }
  | { kind: 'reduce'; op: ReduceOp; a: number; mask: number; keepDims: boolean }
  | { kind: 'reshape'; a: number; pick: number; split: boolean }
  | { kind: 'transpose'; a: number; keys: number[] }
  | { kind: 'matmul'; a: number; n: number; transposeA: boolean; transposeB: boolean; init: Initializer }
  | { kind: 'constant'; dtype: DType; shape: number[]; values: number[] | number }
  | { kind: 'scan'; a: number; op: UnaryOp; reverse: boolean }
  | { kind: 'spike'; a: number; surrogate: SurrogateName; alpha: number }
  | { kind: 'state'; a: number };

interface Program {
  readonly inputs: number[][];
  readonly steps: Step[];
  readonly outputs: number[];
}

const index = fc.nat({ max: 1000 });
const shape = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

const initializer: fc.Arbitrary<Initializer> = fc.oneof(
  fc.constant<Initializer>({ kind: 'zeros' }),
  fc.constant<Initializer>({ kind: 'ones' }),
  finite.map((value): Initializer => ({ kind: 'fill', value })),
  fc.tuple(fc.double({ min: -2, max: 0, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true })).map(([low, high]): Initializer => ({ kind: 'uniform', low, high })),
  fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true })).map(([mean, std]): Initializer => ({ kind: 'normal', mean, std })),
);

const VALUES: Record<DType, fc.Arbitrary<number>> = {
  f32: finite,
  i32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  u32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  bool: fc.integer({ min: 0, max: 1 }),
};

const constantStep: fc.Arbitrary<Step> = fc
  .tuple(fc.constantFrom<DType>('f32', 'i32', 'u32', 'bool'), shape, fc.boolean())
  .chain(([dtype, s, fill]) =>
    (fill ? VALUES[dtype] : fc.array(VALUES[dtype], { minLength: sizeOf(s), maxLength: sizeOf(s) })).map(
      (values): Step => ({ kind: 'constant', dtype, shape: s, values }),
    ),
  );

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom(...FLOAT_UNARY), a: index }),
  fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom(...BINARY_OPS), a: index, b: index }),
  fc.record({ kind: fc.constant('where' as const), cmp: fc.constantFrom(...COMPARE_OPS), a: index, b: index, c: index }),
  fc.record({ kind: fc.constant('reduce' as const), op: fc.constantFrom(...REDUCE_OPS), a: index, mask: fc.nat({ max: 7 }), keepDims: fc.boolean() }),
  fc.record({ kind: fc.constant('reshape' as const), a: index, pick: index, split: fc.boolean() }),
  fc.record({ kind: fc.constant('transpose' as const), a: index, keys: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('matmul' as const), a: index, n: fc.integer({ min: 1, max: 4 }), transposeA: fc.boolean(), transposeB: fc.boolean(), init: initializer }),
  constantStep,
  fc.record({ kind: fc.constant('scan' as const), a: index, op: fc.constantFrom(...FLOAT_UNARY), reverse: fc.boolean() }),
  fc.record({ kind: fc.constant('spike' as const), a: index, surrogate: fc.constantFrom(...SURROGATE_NAMES), alpha: fc.double({ min: 0.1, max: 30, noNaN: true }) }),
  fc.record({ kind: fc.constant('state' as const), a: index }),
);

const program: fc.Arbitrary<Program> = fc.record({
  inputs: fc.array(shape, { minLength: 1, maxLength: 3 }),
  steps: fc.array(step, { minLength: 1, maxLength: 12 }),
  outputs: fc.array(index, { minLength: 1, maxLength: 3 }),
});

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}

/** At least rank 2, for matmul: a vector or scalar becomes one row. */
function asMatrix(t: Tensor): Tensor {
  return t.rank >= 2 ? t : t.reshape([1, sizeOf(t.shape)]);
}

function apply(b: GraphBuilder, pool: Tensor[], s: Step, i: number): Tensor {
  const at = (k: number) => pool[k % pool.length]!;
  switch (s.kind) {
    case 'unary':
      return b.op(s.op, [at(s.a)], {});
    case 'binary': {
      const [x, y] = [at(s.a), at(s.b)];
      return b.op(s.op, [x, broadcastShapes(x.shape, y.shape) ? y : y.sum()], {});
    }
    case 'where': {
      const [x, y, z] = [at(s.a), at(s.b), at(s.c)];
      const cond = b.op(s.cmp, [x, broadcastShapes(x.shape, y.shape) ? y : y.sum()], {});
      return b.where(cond, broadcastShapes(cond.shape, z.shape) ? z : z.mean(), x);
    }
    case 'reduce': {
      const x = at(s.a);
      const axes = x.shape.map((_, ax) => ax).filter((ax) => (s.mask >> ax) & 1);
      return b.op(s.op, [x], { axes: axes.length > 0 || x.rank === 0 ? axes : [0], keepDims: s.keepDims });
    }
    case 'reshape': {
      const x = at(s.a);
      const size = sizeOf(x.shape);
      const ds = divisors(size);
      const d = ds[s.pick % ds.length]!;
      return x.reshape(s.split ? [d, -1] : [size / d, 1, d]);
    }
    case 'transpose': {
      const x = at(s.a);
      const perm = x.shape.map((_, ax) => ax).sort((p, q) => s.keys[p]! - s.keys[q]! || p - q);
      return x.transpose(perm);
    }
    case 'matmul': {
      const x = asMatrix(at(s.a));
      const k = x.shape[x.rank - (s.transposeA ? 2 : 1)]!;
      const w = b.param(`w${i}`, s.transposeB ? [s.n, k] : [k, s.n], s.init);
      return x.matmul(w, { transposeA: s.transposeA, transposeB: s.transposeB });
    }
    case 'constant': {
      const c = b.constant(s.values, s.shape, s.dtype);
      return s.dtype === 'f32' ? c : c.cast('f32');
    }
    case 'scan': {
      const x = at(s.a);
      const xs = x.rank === 0 ? x.reshape([1]) : x;
      const scale = xs.max(); // captured by the body
      const result = b.scan({
        carries: [b.constant(0, xs.shape.slice(1))],
        sequences: [xs],
        consts: [xs.mean()],
        reverse: s.reverse,
        body: (bb, [c], [row], [k]) => {
          const next = bb.op(s.op, [c!.mul(k!).add(row!).div(scale.abs().add(1))], {});
          return { carries: [next], outputs: [next.neg()] };
        },
      });
      return i % 2 === 0 ? result.carries[0]! : result.outputs[0]!;
    }
    case 'spike':
      return at(s.a).spike({ kind: s.surrogate, alpha: s.alpha });
    case 'state': {
      const x = at(s.a);
      const st = b.state(`s${i}`, x.shape);
      b.setState(st, st.add(x));
      return st;
    }
  }
}

function build(p: Program): Graph {
  return trace((b) => {
    const pool = p.inputs.map((s, i) => b.input(`x${i}`, s));
    p.steps.forEach((s, i) => pool.push(apply(b, pool, s, i)));
    return Object.fromEntries(p.outputs.map((k, i) => [`y${i}`, pool[k % pool.length]!]));
  });
}

function run(graph: Graph): number[][] {
  const inputs = Object.fromEntries(
    graph.inputs.map((id) => {
      const attrs = graph.nodes[id]!.attrs as { name: string; shape: number[] };
      return [attrs.name, Array.from({ length: sizeOf(attrs.shape) }, (_, i) => Math.sin(i + 1))];
    }),
  );
  const r = evaluate(graph, { inputs, params: initParams(graph, { seed: 5 }) });
  return [...Object.values(r.outputs), ...Object.values(r.state)].map(toArray);
}

describe('graph JSON on random graphs', () => {
  it('graph -> JSON -> graph is the identity, and the copy validates and computes the same', () => {
    const ops = new Set<string>();
    fc.assert(
      fc.property(program, (p) => {
        const graph = build(p);
        Object.values(graph.nodes).forEach((n) => ops.add(n.op));
        const text = graphToJSON(graph);
        const back = graphFromJSON(text);
        expect(back).toEqual(graph);
        expect(() => validateGraph(back)).not.toThrow();
        expect(Object.isFrozen(back)).toBe(true);
        expect(graphToJSON(back)).toBe(text);
        expect(run(back)).toEqual(run(graph));
      }),
      { numRuns: 150 },
    );
    // The generator really reaches the interesting primitives.
    for (const op of ['matmul', 'scan', 'tupleGet', 'reshape', 'transpose', 'where', 'spike', 'constant', 'cast', 'param', 'state']) {
      expect(ops).toContain(op);
    }
  });
});
