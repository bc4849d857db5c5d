import { z } from 'zod';
import { fail, formatShape, sizeOf, type GraphBuilder, type Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';

/**
 * Convolution layers over core's `conv1d` / `conv2d` primitives (PyTorch's cross-correlation):
 * params with PyTorch's default init, and multi-step inputs. A time-major input
 * `[T, B, Cin, ...S]` is folded into one batch of T·B samples, convolved once and unfolded, so the
 * weight gradient is one convolution rather than a sum over per-step copies. A single-step input
 * `[B, Cin, ...S]` is convolved as it is.
 */

type Pair = readonly [number, number];

const size = z.number().int().positive();
const padAmount = z.number().int().nonnegative();
const pairOf = <T extends z.ZodType>(t: T) => z.tuple([t, t]).readonly();
const sizeOrPair = z.union([size, pairOf(size)]);

/** Fields shared by both kinds: channels, groups, bias and the init scale. */
const channelFields = {
  in: size,
  out: size,
  /** Channels split into this many independent groups (PyTorch's `groups`); divides `in` and `out`. */
  groups: size.default(1),
  bias: z.boolean().default(true),
  /** Multiplies the default init bound, as in `linear`. */
  initScale: z.number().positive().default(1),
};

type ConvChannels = Readonly<z.output<z.ZodObject<typeof channelFields>>>;

/** Groups must split both channel counts evenly (checked here, so the error names `groups`). */
function groupsDivideChannels(spec: ConvChannels, ctx: z.RefinementCtx): void {
  for (const side of ['in', 'out'] as const) {
    if (spec[side] % spec.groups !== 0) {
      ctx.addIssue({ code: 'custom', path: ['groups'], message: `groups (${spec.groups}) must divide the ${side}put channels (${spec[side]})` });
    }
  }
}

const conv1dSchema = z
  .strictObject({
    kind: z.literal('conv1d'),
    ...channelFields,
    kernel: size,
    stride: size.default(1),
    /** Zeros added at both ends, or `[start, end]`. */
    padding: z.union([padAmount, pairOf(padAmount)]).default(0),
    dilation: size.default(1),
  })
  .superRefine(groupsDivideChannels);

const conv2dSchema = z
  .strictObject({
    kind: z.literal('conv2d'),
    ...channelFields,
    /** `[height, width]`, or one number for both. */
    kernel: sizeOrPair,
    stride: sizeOrPair.default(1),
    /** One number for every side, `[height, width]` (each on both sides), or `[[top, bottom], [left, right]]`. */
    padding: z.union([padAmount, pairOf(padAmount), pairOf(pairOf(padAmount))]).default(0),
    dilation: sizeOrPair.default(1),
  })
  .superRefine(groupsDivideChannels);

export type Conv1dSpec = Readonly<z.output<typeof conv1dSchema>>;
export type Conv2dSpec = Readonly<z.output<typeof conv2dSchema>>;
export type Conv1dOptions = Partial<Omit<Conv1dSpec, 'kind' | 'in' | 'out' | 'kernel'>>;
export type Conv2dOptions = Partial<Omit<Conv2dSpec, 'kind' | 'in' | 'out' | 'kernel'>>;

/** A 1-d convolution layer over `[T, B, in, L]` or `[B, in, L]`, e.g. `conv1d(2, 8, 3, { padding: 1 })`. */
export function conv1d(inChannels: number, outChannels: number, kernel: number, options: Conv1dOptions = {}): Conv1dSpec {
  return validateLayerSpec(conv1dSchema, { ...options, kind: 'conv1d', in: inChannels, out: outChannels, kernel });
}

/** A 2-d convolution layer over `[T, B, in, H, W]` or `[B, in, H, W]`, e.g. `conv2d(1, 16, 3, { stride: 2 })`. */
export function conv2d(inChannels: number, outChannels: number, kernel: number | Pair, options: Conv2dOptions = {}): Conv2dSpec {
  return validateLayerSpec(conv2dSchema, { ...options, kind: 'conv2d', in: inChannels, out: outChannels, kernel });
}

/**
 * PyTorch's default init: kaiming-uniform with a = √5 for the weight, which is U(±1/√fan_in), and
 * the same bound for the bias; fan_in = in/groups · prod(kernel).
 */
function convInitBound(spec: ConvChannels, kernel: readonly number[]): number {
  return spec.initScale / Math.sqrt((spec.in / spec.groups) * sizeOf(kernel));
}

/**
 * The shared body of both kinds: checks x, creates `w [out, in/groups, ...kernel]` (and `b [out]`),
 * folds time into the batch and convolves with `convolve`.
 */
function buildConv(b: GraphBuilder, x: Tensor, spec: ConvChannels & { readonly kind: string }, kernel: readonly number[], convolve: (x: Tensor, w: Tensor) => Tensor): Tensor {
  const spatial = kernel.length;
  const axes = spatial === 1 ? 'L' : 'H, W';
  const stepRank = spatial + 2;
  if (x.rank !== stepRank && x.rank !== stepRank + 1) {
    fail('shape', b.path(), `a ${spec.kind} layer takes a time-major [T, B, in, ${axes}] or a single-step [B, in, ${axes}] input`, `rank ${stepRank + 1} or ${stepRank}`, formatShape(x.shape));
  }
  const channels = x.shape[x.rank - spatial - 1];
  if (channels !== spec.in) {
    fail('shape', b.path(), `the input has the wrong number of channels for this ${spec.kind} layer`, `[..., ${spec.in}, ${axes}]`, formatShape(x.shape));
  }
  const k = convInitBound(spec, kernel);
  const init = { kind: 'uniform', low: -k, high: k } as const;
  const w = b.param('w', [spec.out, spec.in / spec.groups, ...kernel], init);
  const multiStep = x.rank === stepRank + 1;
  let y = convolve(multiStep ? x.reshape([-1, ...x.shape.slice(2)]) : x, w);
  // The bias is stored as [out], as PyTorch does, and broadcast over the spatial axes.
  if (spec.bias) y = y.add(b.param('b', [spec.out], init).reshape([spec.out, ...kernel.map(() => 1)]));
  return multiStep ? y.reshape([x.shape[0]!, x.shape[1]!, ...y.shape.slice(1)]) : y;
}

const pair = (v: number | Pair): Pair => (typeof v === 'number' ? [v, v] : v);

/** Traces a conv1d layer: `[T, B, in, L]` -> `[T, B, out, L']`, or `[B, in, L]` -> `[B, out, L']`. */
export function buildConv1d(b: GraphBuilder, x: Tensor, spec: Conv1dSpec): Tensor {
  return buildConv(b, x, spec, [spec.kernel], (input, w) => input.conv1d(w, spec));
}

/** Traces a conv2d layer: `[T, B, in, H, W]` -> `[T, B, out, H', W']`, or the same without T. */
export function buildConv2d(b: GraphBuilder, x: Tensor, spec: Conv2dSpec): Tensor {
  return buildConv(b, x, spec, [...pair(spec.kernel)], (input, w) => input.conv2d(w, spec));
}

export const conv1dLayer: LayerDefinition<Conv1dSpec> = { schema: conv1dSchema, build: buildConv1d };
export const conv2dLayer: LayerDefinition<Conv2dSpec> = { schema: conv2dSchema, build: buildConv2d };
