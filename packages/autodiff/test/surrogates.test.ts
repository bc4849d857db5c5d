import { describe, expect, it } from 'vitest';
import { evaluate, SURROGATE_DEFAULTS, SURROGATE_NAMES, tensor, toArray, trace, type SurrogateChoice, type SurrogateName } from '@spikeflow/core';
import { grad } from '../src/index.js';

// The surrogate table of docs/models/surrogates.md, written independently with Math (never through the graph builders).
const FORMULAS: { readonly [K in SurrogateName]: (x: number, a: number) => number } = {
  sigmoid: (x, a) => {
    const s = 1 / (1 + Math.exp(-a * x));
    return a * s * (1 - s);
  },
  atan: (x, a) => a / (2 * (1 + ((Math.PI * a * x) / 2) ** 2)),
  fastSigmoid: (x, k) => 1 / (1 + k * Math.abs(x)) ** 2,
  triangle: (x, gamma) => gamma * Math.max(0, 1 - Math.abs(x)),
  erf: (x, a) => (a / Math.sqrt(Math.PI)) * Math.exp(-a * a * x * x),
  piecewiseExp: (x, a) => (a / 2) * Math.exp(-a * Math.abs(x)),
  softSign: (x, a) => a / (2 * (1 + Math.abs(a * x)) ** 2),
  straightThrough: () => 1,
};

// A parameter other than the default for each family (straightThrough has none: alpha is ignored).
const OTHER_ALPHA: { readonly [K in SurrogateName]: number } = {
  sigmoid: 2.5,
  atan: 3,
  fastSigmoid: 10,
  triangle: 0.7,
  erf: 1.5,
  piecewiseExp: 2.5,
  softSign: 0.5,
  straightThrough: 3,
};

// x = -2 + 0.1k for k = 0..40; k = 20 gives exactly 0 and k = 10 exactly -1 (a triangle kink).
const XS = Array.from({ length: 41 }, (_, k) => -2 + 0.1 * k);

/** Spikes and d/dx sum(scale·spike(x)) at XS, evaluated in f64. */
function spikeAndGrad(choice: SurrogateChoice, scale = 1): { spikes: number[]; dx: number[] } {
  const forward = trace((b) => {
    const x = b.input('x', [XS.length]);
    const s = x.spike(choice);
    return { spikes: s, loss: s.mul(scale).sum() };
  });
  const out = evaluate(grad(forward, { of: 'loss', wrt: ['x'] }), { inputs: { x: tensor([XS.length], XS, 'f32', 'f64') } }, { precision: 'f64' }).outputs;
  return { spikes: toArray(out.spikes!), dx: toArray(out['grad/x']!) };
}

function expectClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    if (Math.abs(a - expected[i]!) > tol) throw new Error(`at x = ${XS[i]}: got ${a}, expected ${expected[i]}`);
  });
}

const STEP = XS.map((x) => (x >= 0 ? 1 : 0));

describe('surrogate gradients of spike', () => {
  it('samples x = 0 exactly, where the step fires', () => {
    expect(XS[20]).toBe(0);
    expect(STEP.slice(19, 22)).toEqual([0, 1, 1]);
  });

  const cases = SURROGATE_NAMES.flatMap((name) => [
    { name, alpha: SURROGATE_DEFAULTS[name], label: 'default' },
    { name, alpha: OTHER_ALPHA[name], label: 'non-default' },
  ]);

  it.each(cases)('$name with its $label parameter ($alpha) follows the published formula', ({ name, alpha }) => {
    const { spikes, dx } = spikeAndGrad({ kind: name, alpha });
    expect(spikes).toEqual(STEP);
    expectClose(dx, XS.map((x) => FORMULAS[name](x, alpha)), 1e-12);
  });

  it('a bare family name uses its default parameter', () => {
    expectClose(spikeAndGrad('sigmoid').dx, XS.map((x) => FORMULAS.sigmoid(x, 4)), 1e-12);
  });

  it('a custom surrogate replays the derivative the user traced: exp(-|x|)', () => {
    const { spikes, dx } = spikeAndGrad({ derivative: (_b, x) => x.abs().neg().exp() });
    expect(spikes).toEqual(STEP);
    expectClose(dx, XS.map((x) => Math.exp(-Math.abs(x))), 1e-12);
  });

  it.each(SURROGATE_NAMES)('%s scales with the incoming cotangent: d sum(3·spike(x)) = 3 g\'(x)', (name) => {
    const alpha = SURROGATE_DEFAULTS[name];
    expectClose(spikeAndGrad(name, 3).dx, XS.map((x) => 3 * FORMULAS[name](x, alpha)), 1e-12);
  });

  it('a custom surrogate scales with the cotangent too', () => {
    const { dx } = spikeAndGrad({ derivative: (_b, x) => x.abs().neg().exp() }, 3);
    expectClose(dx, XS.map((x) => 3 * Math.exp(-Math.abs(x))), 1e-12);
  });
});
