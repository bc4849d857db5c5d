import { z } from 'zod';
import { fail, formatShape, type GraphBuilder, type Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';
import { broadcastParam, expectChannels, normalize } from './batch-norm.js';

/**
 * Batch norm through time (BNTT; Kim & Panda, "Revisiting Batch Normalization for Training
 * Low-Latency Deep Spiking Neural Networks From Scratch", Frontiers in Neuroscience 2021) over a
 * time-major `[T, B, C, ...]` input: per time step t and channel c,
 *
 *   y = γ_{t,c} · (x − μ_{t,c}) / √(σ_{t,c}² + ε) (+ β_{t,c}),
 *
 * μ and σ² taken over B and the spatial axes of step t alone, with their own running statistics
 * `[T, C]` (batch statistics while training, running ones in evaluation; see batch-norm.ts). The
 * paper's layer has no bias and ε = 1e-4 (the authors' code), the defaults here.
 */
const schema = z.strictObject({
  kind: z.literal('bntt'),
  channels: z.number().int().positive(),
  /** T: the layer has a γ and running statistics per time step, so its input has exactly this many. */
  steps: z.number().int().positive(),
  /** A learnable β per time step and channel (the paper has none). */
  bias: z.boolean().default(false),
  eps: z.number().positive().default(1e-4),
  momentum: z.number().gt(0).max(1).default(0.1),
});

export type BnttSpec = Readonly<z.output<typeof schema>>;

/** A BNTT layer spec over `channels` channels and `steps` time steps, e.g. `bntt(16, 8)`. */
export function bntt(channels: number, steps: number, options: Partial<Omit<BnttSpec, 'kind' | 'channels' | 'steps'>> = {}): BnttSpec {
  return validateLayerSpec(schema, { ...options, kind: 'bntt', channels, steps });
}

export function buildBntt(b: GraphBuilder, x: Tensor, spec: BnttSpec): Tensor {
  expectChannels(b, x, spec.channels, 'bntt');
  if (x.shape[0] !== spec.steps) fail('shape', b.path(), 'the input has a different number of time steps than this bntt layer', `[${spec.steps}, B, ${spec.channels}, ...]`, formatShape(x.shape));
  const axes = x.shape.map((_, axis) => axis).filter((axis) => axis !== 0 && axis !== 2);
  const stored = [spec.steps, spec.channels];
  const xHat = normalize(b, x, { axes, stored, momentum: spec.momentum, eps: spec.eps });
  const y = xHat.mul(broadcastParam(b.param('gamma', stored, { kind: 'ones' }), x, axes));
  return spec.bias ? y.add(broadcastParam(b.param('beta', stored, { kind: 'zeros' }), x, axes)) : y;
}

export const bnttLayer: LayerDefinition<BnttSpec> = { schema, build: buildBntt };
