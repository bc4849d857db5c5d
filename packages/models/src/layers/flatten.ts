import { z } from 'zod';
import { fail, type GraphBuilder, type Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';

/**
 * Merges axes `startDim..endDim` (inclusive; negative counts from the end) into one, as
 * `torch.flatten`: `flatten([T, B, C, H, W], 2)` is `[T, B, C·H·W]`.
 */
export function flatten(x: Tensor, startDim = 1, endDim = -1): Tensor {
  const where = x.builder.path() || 'flatten';
  const norm = (d: number) => (d < 0 ? d + x.rank : d);
  const [start, end] = [norm(startDim), norm(endDim)];
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= x.rank || start > end) {
    fail('attr', where, `flatten's axes must satisfy 0 <= startDim <= endDim < rank (negative counts from the end)`, `axes of a rank-${x.rank} tensor`, `startDim ${startDim}, endDim ${endDim}`);
  }
  const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
  return x.reshape([...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
}

const axis = z.number().int();

const schema = z.strictObject({
  kind: z.literal('flatten'),
  /** The first axis merged; 2 keeps the time and batch axes of `[T, B, C, H, W]` (use 1 for a single-step `[B, C, H, W]`). */
  startDim: axis.default(2),
  /** The last axis merged (inclusive; negative counts from the end). */
  endDim: axis.default(-1),
});

export type FlattenSpec = Readonly<z.output<typeof schema>>;

/** A flatten layer spec: by default `[T, B, C, H, W]` -> `[T, B, C·H·W]`, ready for a `linear` layer. */
export function flattenSpec(options: Partial<Omit<FlattenSpec, 'kind'>> = {}): FlattenSpec {
  return validateLayerSpec(schema, { ...options, kind: 'flatten' });
}

export const flattenLayer: LayerDefinition<FlattenSpec> = { schema, build: (_b: GraphBuilder, x: Tensor, spec) => flatten(x, spec.startDim, spec.endDim) };
