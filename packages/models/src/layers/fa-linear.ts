import { z } from 'zod';
import type { GraphBuilder, Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';
import { feedbackAlignmentMatmul, feedbackSeed, randomFeedback } from './feedback-alignment.js';
import { buildLinear, linearBound } from './linear.js';

const schema = z.strictObject({
  kind: z.literal('faLinear'),
  in: z.number().int().positive(),
  out: z.number().int().positive(),
  bias: z.boolean().default(false),
  /** Multiplies the default init bound 1/sqrt(in) of w and b, as for `linear`. */
  initScale: z.number().positive().default(1),
  /** Multiplies the bound of the feedback matrix B, which is w's init bound by default. */
  feedbackScale: z.number().positive().default(1),
  /** Mixed with the layer's scope path into B's generator seed: change it to draw another B. */
  feedbackSeed: z.number().int().nonnegative().max(2 ** 31).default(0),
});

export type FaLinearSpec = Readonly<z.output<typeof schema>>;
export type FaLinearOptions = Partial<Omit<FaLinearSpec, 'kind' | 'in' | 'out'>>;

/**
 * A `linear` layer trained by feedback alignment: the same forward `x @ w (+ b)` and the same
 * params, but its input's gradient is `dy · Bᵀ` with a fixed random B [in, out] drawn
 * U(±feedbackScale·initScale/sqrt(in)) (w's init distribution) instead of `dy · wᵀ`.
 */
export function faLinear(inFeatures: number, outFeatures: number, options: FaLinearOptions = {}): FaLinearSpec {
  return validateLayerSpec(schema, { ...options, kind: 'faLinear', in: inFeatures, out: outFeatures });
}

/** B is `<layer>/feedback`, a `uniform` node (not a param), so no optimizer ever touches it. */
export function buildFaLinear(b: GraphBuilder, x: Tensor, spec: FaLinearSpec): Tensor {
  const bound = spec.feedbackScale * linearBound(spec.in, spec.initScale);
  const seed = feedbackSeed(b.path(), spec.feedbackSeed);
  return buildLinear(b, x, spec, (x2, w) => {
    const feedback = b.scope('feedback', () => randomFeedback(b, [spec.in, spec.out], bound, seed));
    return feedbackAlignmentMatmul(x2, w, feedback);
  });
}

export const faLinearLayer: LayerDefinition<FaLinearSpec> = { schema, build: buildFaLinear };
