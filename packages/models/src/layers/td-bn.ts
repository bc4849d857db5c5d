import { z } from 'zod';
import type { GraphBuilder, Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';
import { broadcastParam, expectChannels, normalize } from './batch-norm.js';

/**
 * Threshold-dependent batch norm (tdBN; Zheng et al., "Going Deeper With Directly-Trained Larger
 * Spiking Neural Networks", AAAI 2021) over a time-major `[T, B, C, ...]` input: per channel c,
 *
 *   y = γ_c · α·V_th · (x − μ_c) / √(σ_c² + ε) + β_c,
 *
 * μ_c and σ_c² taken over T, B and the spatial axes together (batch statistics while training,
 * running statistics in evaluation; see batch-norm.ts). α·V_th scales the normalised input to the
 * threshold of the neurons it drives; γ (init 1) and β (init 0) are learnable, `[C]`.
 */
const schema = z.strictObject({
  kind: z.literal('tdBN'),
  channels: z.number().int().positive(),
  /** α of the paper: the normalised pre-activations have standard deviation α·V_th. */
  alpha: z.number().positive().default(1),
  /** V_th: the firing threshold of the neurons this layer drives. */
  threshold: z.number().positive().default(1),
  eps: z.number().positive().default(1e-5),
  /** Weight of the newest batch in the running statistics, as PyTorch's `momentum`. */
  momentum: z.number().gt(0).max(1).default(0.1),
});

export type TdBNSpec = Readonly<z.output<typeof schema>>;

/** A tdBN layer spec over `channels` channels, e.g. `tdBN(16)` or `tdBN(16, { alpha: 1 / Math.SQRT2 })`. */
export function tdBN(channels: number, options: Partial<Omit<TdBNSpec, 'kind' | 'channels'>> = {}): TdBNSpec {
  return validateLayerSpec(schema, { ...options, kind: 'tdBN', channels });
}

export function buildTdBN(b: GraphBuilder, x: Tensor, spec: TdBNSpec): Tensor {
  expectChannels(b, x, spec.channels, 'tdBN');
  const axes = x.shape.map((_, axis) => axis).filter((axis) => axis !== 2);
  const xHat = normalize(b, x, { axes, stored: [spec.channels], momentum: spec.momentum, eps: spec.eps });
  const gamma = broadcastParam(b.param('gamma', [spec.channels], { kind: 'ones' }), x, axes);
  const beta = broadcastParam(b.param('beta', [spec.channels], { kind: 'zeros' }), x, axes);
  return xHat.mul(spec.alpha * spec.threshold).mul(gamma).add(beta);
}

export const tdBNLayer: LayerDefinition<TdBNSpec> = { schema, build: buildTdBN };
