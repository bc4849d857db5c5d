import type { GraphBuilder, Surrogate, SurrogateName, Tensor } from '@spikeflow/core';
import { replayOnInputs } from './replay-on-inputs.js';

/** Builds g'(x) from primitives for one surrogate family; `alpha` is its parameter (a, k or gamma). */
export type SurrogateDerivative = (b: GraphBuilder, x: Tensor, alpha: number) => Tensor;

/**
 * The surrogate derivatives of the table in docs/models/surrogates.md (SpikingJelly/snnTorch
 * conventions), x already centred on the threshold. Scalar factors are folded in JS so each graph
 * stays a few nodes.
 * Typed over SurrogateName: a new family fails type-checking until it has a derivative here.
 */
export const surrogateDerivatives: { readonly [K in SurrogateName]: SurrogateDerivative } = {
  // a·σ(ax)(1 − σ(ax))
  sigmoid: (_b, x, a) => {
    const s = x.mul(a).sigmoid();
    return s.mul(s.neg().add(1)).mul(a);
  },
  // a / (2(1 + (πax/2)²))
  atan: (_b, x, a) => {
    const u = x.mul((Math.PI * a) / 2);
    return u.mul(u).add(1).reciprocal().mul(a / 2);
  },
  // 1 / (1 + k|x|)²  (SuperSpike)
  fastSigmoid: (_b, x, k) => {
    const d = x.abs().mul(k).add(1);
    return d.mul(d).reciprocal();
  },
  // γ·max(0, 1 − |x|)  (LSNN pseudo-derivative)
  triangle: (_b, x, gamma) => x.abs().neg().add(1).maximum(0).mul(gamma),
  // (a/√π)·exp(−a²x²)
  erf: (_b, x, a) => {
    const u = x.mul(a);
    return u.mul(u).neg().exp().mul(a / Math.sqrt(Math.PI));
  },
  // (a/2)·exp(−a|x|)
  piecewiseExp: (_b, x, a) => x.abs().mul(-a).exp().mul(a / 2),
  // a / (2(1 + |ax|)²)
  softSign: (_b, x, a) => {
    const d = x.abs().mul(a).add(1);
    return d.mul(d).reciprocal().mul(a / 2);
  },
  // The identity's derivative; the family has no parameter, so alpha is ignored.
  straightThrough: (b, x) => b.constant(1, x.shape),
};

/** g'(x) for the surrogate of a `spike` node: a named family, or the user's traced derivative replayed on x. */
export function surrogateDerivative(b: GraphBuilder, x: Tensor, surrogate: Surrogate): Tensor {
  if (surrogate.kind === 'custom') return replayOnInputs(b, surrogate.derivative, [x])[0]!;
  return surrogateDerivatives[surrogate.kind](b, x, surrogate.alpha);
}
