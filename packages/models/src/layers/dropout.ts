import { z } from 'zod';
import { fail, fnv1a32, formatShape, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { modeInputs } from '../mode-inputs.js';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';

/**
 * Dropout with SpikingJelly's multi-step semantics: while training, each element is zeroed with
 * probability p and the kept ones scaled by 1/(1 − p); in evaluation it is the identity. In the
 * multi-step mode one mask over `[B, ...]` is drawn per call and shared by all T steps of
 * `[T, B, ...]`, so a dropped neuron stays silent for the whole sequence instead of flickering.
 *
 * The mode and the draw come from the graph's mode inputs (see mode-inputs.ts): `training`
 * selects the mask or the identity, `randomStep` is the counter of the stateless `bernoulli`, so
 * every training step draws a new mask and CPU and WebGPU draw the same one.
 */
const schema = z.strictObject({
  kind: z.literal('dropout'),
  /** The probability of zeroing an element, in [0, 1). */
  p: z.number().min(0, 'p must be in [0, 1)').lt(1, 'p must be in [0, 1): kept values are scaled by 1/(1 - p)').default(0.5),
  /** `multi`: x is `[T, ...]` and one mask serves every step; `single`: a mask element per element of x (SpikingJelly's `step_mode`). */
  stepMode: z.enum(['multi', 'single']).default('multi'),
  /**
   * Keys this layer's masks. By default a hash of the layer's scope path, so layers in different
   * scopes (as `buildSequential` makes them) draw different masks; unscoped layers need their own seeds.
   */
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});

export type DropoutSpec = Readonly<z.output<typeof schema>>;
export type DropoutOptions = Partial<Omit<DropoutSpec, 'kind' | 'p'>>;

/** A dropout layer spec, e.g. `dropout(0.2)`; p defaults to 0.5 as in PyTorch and SpikingJelly. */
export function dropout(p = 0.5, options: DropoutOptions = {}): DropoutSpec {
  return validateLayerSpec(schema, { ...options, kind: 'dropout', p });
}

export function buildDropout(b: GraphBuilder, x: Tensor, spec: DropoutSpec): Tensor {
  if (spec.stepMode === 'multi' && x.rank < 2) {
    fail('shape', b.path(), 'multi-step dropout takes a time-major input (its mask is shared over axis 0)', '[T, B, ...]', formatShape(x.shape));
  }
  const { training, randomStep } = modeInputs(b);
  const maskShape = spec.stepMode === 'multi' ? x.shape.slice(1) : x.shape;
  const keep = b.bernoulli(1 - spec.p, maskShape, spec.seed ?? fnv1a32(b.path()), randomStep);
  // The factor is the scaled mask while training and exactly 1 in evaluation; it broadcasts over T.
  const factor = b.where(training.greater(0), keep.mul(1 / (1 - spec.p)), 1);
  return x.mul(factor);
}

export const dropoutLayer: LayerDefinition<DropoutSpec> = { schema, build: buildDropout };
