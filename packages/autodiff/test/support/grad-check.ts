import { evaluate, trace, type GraphBuilder, type HostTensor, type Shape, type Tensor, sizeOf, tensor, toArray } from '@spikeflow/core';
import { grad } from '../../src/index.js';
import { testRandom } from '../../../../test/support/test-data.js';

export interface GradCheckOptions {
  readonly seed?: number;
  /** Central-difference step. */
  readonly eps?: number;
  /** Range of the random input values, per input (default [-1, 1]). */
  readonly domains?: readonly (readonly [number, number])[];
  /** Explicit input values, per input (overrides the random ones). */
  readonly values?: readonly (readonly number[] | undefined)[];
}

export interface GradCheckResult {
  /** max over elements of |analytic - numeric| / max(1, |analytic|, |numeric|). */
  readonly maxRelError: number;
  readonly analytic: number[][];
  readonly numeric: number[][];
}

/**
 * Checks the VJP of `fn` against central finite differences, all in float64. The loss is
 * sum(fn(xs) * r) for a fixed random r, so every output element and every input element count.
 */
export function gradCheck(fn: (b: GraphBuilder, xs: Tensor[]) => Tensor, shapes: readonly Shape[], options: GradCheckOptions = {}): GradCheckResult {
  const rand = testRandom(options.seed ?? 1);
  const names = shapes.map((_, i) => `x${i}`);
  let outShape: Shape = [];
  const forward = trace((b) => {
    const xs = shapes.map((s, i) => b.input(names[i]!, s));
    const y = fn(b, xs);
    outShape = y.shape;
    const r = b.input('r', y.shape);
    return { loss: y.mul(r).sum() };
  });
  const r = Array.from({ length: sizeOf(outShape) }, () => rand() * 2 - 1);
  const xs = shapes.map((s, i) => {
    const given = options.values?.[i];
    if (given !== undefined) return [...given];
    const [lo, hi] = options.domains?.[i] ?? [-1, 1];
    return Array.from({ length: sizeOf(s) }, () => lo + (hi - lo) * rand());
  });
  const feeds = (values: number[][]) => {
    const inputs: Record<string, HostTensor> = { r: tensor(outShape, r, 'f32', 'f64') };
    values.forEach((v, i) => (inputs[names[i]!] = tensor(shapes[i]!, v, 'f32', 'f64')));
    return { inputs };
  };
  const g = grad(forward, { of: 'loss', wrt: names });
  const out = evaluate(g, feeds(xs), { precision: 'f64' }).outputs;
  const analytic = names.map((n) => toArray(out[`grad/${n}`]!));
  const loss = (values: number[][]) => toArray(evaluate(forward, feeds(values), { precision: 'f64' }).outputs.loss!)[0]!;
  const eps = options.eps ?? 1e-6;
  let maxRelError = 0;
  const numeric = xs.map((x, i) =>
    x.map((v, j) => {
      const plus = xs.map((a) => [...a]);
      const minus = xs.map((a) => [...a]);
      plus[i]![j] = v + eps;
      minus[i]![j] = v - eps;
      const n = (loss(plus) - loss(minus)) / (2 * eps);
      const a = analytic[i]![j]!;
      maxRelError = Math.max(maxRelError, Math.abs(a - n) / Math.max(1, Math.abs(a), Math.abs(n)));
      return n;
    }),
  );
  return { maxRelError, analytic, numeric };
}
