import { afterAll, describe, expect, it } from 'vitest';
import { sizeOf, trace, validateGraph, type GraphBuilder, type Shape, type Tensor } from '@spikeflow/core';
import { grad } from '../src/index.js';
import { distinctValues } from './support/distinct-values.js';
import { gradCheck, type GradCheckOptions } from './support/grad-check.js';
import { gradients } from './support/grad-values.js';

interface Case {
  readonly name: string;
  readonly shapes: readonly Shape[];
  readonly fn: (b: GraphBuilder, xs: Tensor[]) => Tensor;
  readonly options?: GradCheckOptions;
}

/** Values for operands that must never tie or sit on a kink: distinct across all of them. */
function distinctOperands(shapes: readonly Shape[]): GradCheckOptions {
  const all = distinctValues(shapes.reduce((n, s) => n + sizeOf(s), 0));
  let at = 0;
  return { values: shapes.map((s) => all.slice(at, (at += sizeOf(s)))) };
}

// Away from singularities and branch cuts: log, sqrt, rsqrt, reciprocal and pow's base in [0.5, 2].
const POSITIVE: readonly [number, number] = [0.5, 2];

const UNARY: readonly { op: string; f: (x: Tensor) => Tensor; domain?: readonly [number, number]; distinct?: boolean }[] = [
  { op: 'neg', f: (x) => x.neg() },
  { op: 'abs', f: (x) => x.abs(), distinct: true },
  { op: 'exp', f: (x) => x.exp() },
  { op: 'log', f: (x) => x.log(), domain: POSITIVE },
  { op: 'sqrt', f: (x) => x.sqrt(), domain: POSITIVE },
  { op: 'rsqrt', f: (x) => x.rsqrt(), domain: POSITIVE },
  { op: 'reciprocal', f: (x) => x.reciprocal(), domain: POSITIVE },
  { op: 'sin', f: (x) => x.sin(), domain: [-3, 3] },
  { op: 'cos', f: (x) => x.cos(), domain: [-3, 3] },
  { op: 'tanh', f: (x) => x.tanh(), domain: [-2, 2] },
  { op: 'sigmoid', f: (x) => x.sigmoid(), domain: [-3, 3] },
];
const UNARY_SHAPES: readonly Shape[] = [[2, 3], [4, 1, 3], []];

const BINARY: readonly { op: string; f: (a: Tensor, b: Tensor) => Tensor; domains?: readonly (readonly [number, number])[]; distinct?: boolean }[] = [
  { op: 'add', f: (a, b) => a.add(b) },
  { op: 'sub', f: (a, b) => a.sub(b) },
  { op: 'mul', f: (a, b) => a.mul(b) },
  { op: 'div', f: (a, b) => a.div(b), domains: [[-1, 1], POSITIVE] },
  { op: 'pow', f: (a, b) => a.pow(b), domains: [POSITIVE, [-2, 2]] },
  { op: 'maximum', f: (a, b) => a.maximum(b), distinct: true },
  { op: 'minimum', f: (a, b) => a.minimum(b), distinct: true },
];
// Same shape, then broadcasting of either operand, across ranks, and a scalar.
const BINARY_SHAPES: readonly (readonly [Shape, Shape])[] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[3], [2, 3]],
  [[4, 1, 3], [2, 1]],
  [[], [2, 2]],
];

const CASES: Case[] = [
  ...UNARY.flatMap((u) =>
    UNARY_SHAPES.map((s): Case => ({
      name: `${u.op} [${s.join(',')}]`,
      shapes: [s],
      fn: (_, [x]) => u.f(x!),
      options: u.distinct ? distinctOperands([s]) : { domains: [u.domain ?? [-1, 1]] },
    })),
  ),
  ...BINARY.flatMap((o) =>
    BINARY_SHAPES.map(([sa, sb]): Case => ({
      name: `${o.op} [${sa.join(',')}] with [${sb.join(',')}]`,
      shapes: [sa, sb],
      fn: (_, [a, b]) => o.f(a!, b!),
      options: o.distinct ? distinctOperands([sa, sb]) : { domains: o.domains },
    })),
  ),
  {
    name: 'where [2,3] cond, [2,3] and [3] branches',
    shapes: [[2, 3], [3]],
    fn: (b, [x, y]) => b.where(b.constant([1, 0, 1, 0, 0, 1], [2, 3], 'bool'), x!, y!),
  },
  {
    name: 'where [1,3] cond, scalar and [2,1,3] branches',
    shapes: [[], [2, 1, 3]],
    fn: (b, [x, y]) => b.where(b.constant([0, 1, 1], [1, 3], 'bool'), x!, y!),
  },
  { name: 'cast f32 -> f32 is the identity', shapes: [[2, 3]], fn: (_, [x]) => x!.cast('f32').mul(x!) },
  // x feeds three paths, so the driver must add their cotangents: d/dx = sin x + x cos x + e^x / y.
  {
    name: 'x sin x + e^x / y (fan-out)',
    shapes: [[2, 3], [3]],
    fn: (_, [x, y]) => x!.mul(x!.sin()).add(x!.exp().div(y!)),
    options: { domains: [[-1, 1], POSITIVE] },
  },
];

const measured: string[] = [];
afterAll(() => console.log(`elementwise VJP max relative errors vs finite differences:\n${measured.join('\n')}`));

describe('elementwise VJPs against finite differences', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { maxRelError } = gradCheck(c.fn, c.shapes, c.options);
      measured.push(`  ${c.name}: ${maxRelError.toExponential(2)}`);
      expect(maxRelError).toBeLessThan(1e-6);
    });
  }
});

describe('elementwise VJPs worked by hand', () => {
  it('maximum and minimum split a tie half and half', () => {
    // Element 0 ties (1 vs 1): half each. Element 1: x wins the max; element 2: y wins the max.
    const x = { shape: [3], values: [1, 2, 3] };
    const y = { shape: [3], values: [1, 0, 4] };
    expect(gradients({ x, y }, (_, v) => v.x!.maximum(v.y!).sum())).toEqual({ x: [0.5, 1, 0], y: [0.5, 0, 1] });
    expect(gradients({ x, y }, (_, v) => v.x!.minimum(v.y!).sum())).toEqual({ x: [0.5, 0, 1], y: [0.5, 1, 0] });
  });

  it('maximum(x, 0) has derivative 1/2 at exactly 0 (the documented tie rule)', () => {
    expect(gradients({ x: { shape: [3], values: [-1, 0, 2] } }, (_, v) => v.x!.maximum(0).sum())).toEqual({ x: [0, 0.5, 1] });
  });

  it('relu has derivative 0 at exactly 0, as in PyTorch and JAX', () => {
    expect(gradients({ x: { shape: [3], values: [-1, 0, 2] } }, (_, v) => v.x!.relu().sum())).toEqual({ x: [0, 0, 1] });
  });

  it('abs has the zero subgradient at 0', () => {
    expect(gradients({ x: { shape: [3], values: [-2, 0, 3] } }, (_, v) => v.x!.abs().sum())).toEqual({ x: [-1, 0, 1] });
  });

  it('where routes the cotangent to the chosen branch and sums a broadcast branch', () => {
    // loss = Σ w_i·where(c_i, x_i, y) with w = [1, 2, 3], c = [T, F, T]:
    // d/dx = [1, 0, 3]; the scalar y is chosen at element 1 only, so d/dy = 2.
    const g = gradients({ x: { shape: [3], values: [5, 6, 7] }, y: { shape: [], values: [-4] } }, (b, v) =>
      b.where(b.constant([1, 0, 1], [3], 'bool'), v.x!, v.y!).mul(b.constant([1, 2, 3], [3])).sum(),
    );
    expect(g).toEqual({ x: [1, 0, 3], y: [2] });
  });

  it('stopGradient blocks: d/dx [x · stop(x)] = x, not 2x', () => {
    const values = [1.5, -2, 0.25];
    expect(gradients({ x: { shape: [3], values } }, (_, v) => v.x!.mul(v.x!.stopGradient()).sum())).toEqual({ x: values });
  });

  it('a piecewise-constant factor passes no gradient: d/dx [floor(x) · x] = floor(x)', () => {
    expect(gradients({ x: { shape: [3], values: [-1.5, 0.3, 2.7] } }, (_, v) => v.x!.floor().mul(v.x!).sum())).toEqual({ x: [-2, 0, 2] });
  });

  // Each loss reaches x only through a non-differentiable op, so its gradient is all zeros.
  const ZERO_PATHS: readonly [string, (b: GraphBuilder, x: Tensor) => Tensor][] = [
    ['a comparison feeding where', (b, x) => b.where(x.greater(0), 1, 2)],
    ['a comparison cast to f32', (_, x) => x.lessEqual(0.5).cast('f32')],
    ['logic over comparisons', (_, x) => x.less(1).logicalAnd(x.greater(-1)).logicalOr(x.equal(0)).logicalNot().cast('f32')],
    ['a round trip through i32', (_, x) => x.cast('i32').cast('f32')],
    ['sign, floor, ceil and round', (_, x) => x.sign().add(x.floor()).add(x.ceil()).add(x.round())],
    ['stopGradient', (_, x) => x.exp().stopGradient()],
  ];
  for (const [name, f] of ZERO_PATHS) {
    it(`x used only through ${name} gets a zero gradient`, () => {
      expect(gradients({ x: { shape: [4], values: [-1.5, 0.3, 0.5, 2.7] } }, (b, v) => f(b, v.x!).sum())).toEqual({ x: [0, 0, 0, 0] });
    });
  }

  it('pow: d/da is 0 where b = 0 and d/db is 0 where a = 0 (no 0·inf NaN)', () => {
    // a^b at (a, b) = (0, 2), (0, 0), (2, 3): y = [0, 1, 8].
    // d/da = b·a^(b-1) = [2·0, 0 (b = 0), 3·2² = 12]; d/db = y·ln a = [0 (a = 0), 0 (a = 0), 8·ln 2].
    const g = gradients({ a: { shape: [3], values: [0, 0, 2] }, b: { shape: [3], values: [2, 0, 3] } }, (_, v) => v.a!.pow(v.b!).sum());
    expect(g.a).toEqual([0, 0, 12]);
    expect(g.b![0]).toBe(0);
    expect(g.b![1]).toBe(0);
    expect(g.b![2]).toBeCloseTo(5.545177444479562, 12); // 8·ln 2
  });

  it('a gradient graph through every elementwise rule is itself a valid graph', () => {
    const forward = trace((b) => {
      const x = b.input('x', [2, 3]);
      const y = b.param('y', [3], { kind: 'fill', value: 1.5 });
      const unary = [x.neg(), x.abs(), x.exp(), y.log(), y.sqrt(), y.rsqrt(), y.reciprocal(), x.sin(), x.cos(), x.tanh(), x.sigmoid(), x.floor()];
      const binary = [x.add(y), x.sub(y), x.mul(y), x.div(y), y.pow(x), x.maximum(y), x.minimum(y)];
      const routed = b.where(x.greater(y), x.cast('f32'), y.stopGradient());
      const total = [...unary, ...binary, routed].reduce((acc, t) => acc.add(t));
      return { loss: total.sum() };
    });
    const g = grad(forward, { of: 'loss', wrt: ['x', 'y'] });
    expect(() => validateGraph(g)).not.toThrow();
    expect(g.outputs.map((o) => o.name)).toEqual(['loss', 'grad/x', 'grad/y']);
  });
});
