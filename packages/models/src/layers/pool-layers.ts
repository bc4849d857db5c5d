import { z } from 'zod';
import type { GraphBuilder, Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';
import { avgPool2d, maxPool2d, sumPool2d, type Pool2dOptions } from './pooling.js';

/**
 * The pooling layer kinds `maxPool2d`, `avgPool2d` and `sumPool2d` over `[T, B, C, H, W]` or
 * `[B, C, H, W]` (see pooling.ts for their semantics). Their spec builders end in `Spec`
 * (`maxPool2dSpec(2)`) because the plain names are the tensor-level functions.
 */

type Pair = readonly [number, number];

const size = z.number().int().positive();
const sizeOrPair = z.union([size, z.tuple([size, size]).readonly()]);
const padAmount = z.number().int().nonnegative();

const poolKinds = ['maxPool2d', 'avgPool2d', 'sumPool2d'] as const;
type PoolKind = (typeof poolKinds)[number];

const poolFields = {
  /** `[height, width]`, or one number for both. */
  kernel: sizeOrPair,
  /** Defaults to the kernel (non-overlapping windows), as in PyTorch. */
  stride: sizeOrPair.optional(),
  /** Added on both sides of each spatial axis (at most half the kernel): one number, or `[height, width]`. */
  padding: z.union([padAmount, z.tuple([padAmount, padAmount]).readonly()]).default(0),
};

/** Padding over half the kernel is rejected here, so the error names the spec's field. */
function paddingFitsKernel(spec: { kernel: number | Pair; padding: number | Pair }, ctx: z.RefinementCtx): void {
  const pair = (v: number | Pair) => (typeof v === 'number' ? [v, v] : v);
  const kernel = pair(spec.kernel);
  if (pair(spec.padding).some((p, k) => 2 * p > kernel[k]!)) ctx.addIssue({ code: 'custom', path: ['padding'], message: 'padding must be at most half the kernel, as in PyTorch' });
}

const schemaOf = <K extends PoolKind>(kind: K) => z.strictObject({ kind: z.literal(kind), ...poolFields }).superRefine(paddingFitsKernel);

const maxSchema = schemaOf('maxPool2d');
const avgSchema = schemaOf('avgPool2d');
const sumSchema = schemaOf('sumPool2d');

export type MaxPool2dSpec = Readonly<z.output<typeof maxSchema>>;
export type AvgPool2dSpec = Readonly<z.output<typeof avgSchema>>;
export type SumPool2dSpec = Readonly<z.output<typeof sumSchema>>;
export type Pool2dSpecOptions = Partial<Omit<MaxPool2dSpec, 'kind' | 'kernel'>>;

/** A max-pooling layer spec, e.g. `maxPool2dSpec(2)` or `maxPool2dSpec(3, { stride: 2, padding: 1 })`. */
export function maxPool2dSpec(kernel: number | Pair, options: Pool2dSpecOptions = {}): MaxPool2dSpec {
  return validateLayerSpec(maxSchema, { ...options, kind: 'maxPool2d', kernel });
}

/** An average-pooling layer spec (padding zeros counted, as PyTorch's `count_include_pad=True`). */
export function avgPool2dSpec(kernel: number | Pair, options: Pool2dSpecOptions = {}): AvgPool2dSpec {
  return validateLayerSpec(avgSchema, { ...options, kind: 'avgPool2d', kernel });
}

/** A sum-pooling layer spec (NIR's SumPool2d). */
export function sumPool2dSpec(kernel: number | Pair, options: Pool2dSpecOptions = {}): SumPool2dSpec {
  return validateLayerSpec(sumSchema, { ...options, kind: 'sumPool2d', kernel });
}

const optionsOf = (spec: MaxPool2dSpec | AvgPool2dSpec | SumPool2dSpec): Pool2dOptions => ({ kernel: spec.kernel, stride: spec.stride, padding: spec.padding });

export const maxPool2dLayer: LayerDefinition<MaxPool2dSpec> = { schema: maxSchema, build: (_b: GraphBuilder, x: Tensor, spec) => maxPool2d(x, optionsOf(spec)) };
export const avgPool2dLayer: LayerDefinition<AvgPool2dSpec> = { schema: avgSchema, build: (_b: GraphBuilder, x: Tensor, spec) => avgPool2d(x, optionsOf(spec)) };
export const sumPool2dLayer: LayerDefinition<SumPool2dSpec> = { schema: sumSchema, build: (_b: GraphBuilder, x: Tensor, spec) => sumPool2d(x, optionsOf(spec)) };
