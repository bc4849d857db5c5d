import { fail, formatShape, type Tensor } from '@spikeflow/core';

/**
 * 2-d pooling over `[B, C, H, W]` or time-major `[T, B, C, H, W]` tensors, with PyTorch's
 * semantics (`nn.MaxPool2d`, `nn.AvgPool2d` with `count_include_pad=True`, `ceil_mode=False`),
 * composed from existing primitives so that the CPU rules, the gradients and the WGSL come with
 * them:
 *
 * - sum and average: a depthwise `conv2d` (groups = channels) with a constant kernel of ones; the
 *   zero padding of the convolution is PyTorch's zero padding, counted in the average's divisor;
 * - max: the input padded with the lowest f32 (PyTorch pads with −∞, which graph JSON cannot
 *   hold; the two differ only for an input of −∞), one strided slice per kernel offset stacked on
 *   a new last axis, and a `max` reduction over it. Its gradient splits a tie evenly among the
 *   tied elements of a window (PyTorch sends it all to the first), which matters for spike inputs.
 *
 * A time-major input is folded into one batch of T·B images and unfolded after, as the conv
 * layers do.
 */

type Pair = readonly [number, number];

export interface Pool2dOptions {
  /** The window, `[height, width]` or one number for both. */
  readonly kernel: number | Pair;
  /** The step between windows; defaults to the kernel (non-overlapping windows), as in PyTorch. */
  readonly stride?: number | Pair;
  /** Added on both sides of each spatial axis, at most half the kernel (as PyTorch requires). */
  readonly padding?: number | Pair;
}

/** The lowest finite f32: max pooling's padding value (below every finite input). */
const LOWEST_F32 = -3.4028234663852886e38;

const pairOf = (v: number | Pair): Pair => (typeof v === 'number' ? [v, v] : v);

interface Window {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  /** Output height and width. */
  readonly out: Pair;
}

/** Checks x and the options, and computes the output size: floor((H + 2p − k) / s) + 1 per axis. */
function windowOf(x: Tensor, options: Pool2dOptions, op: string): Window {
  const where = x.builder.path() || op;
  if (x.rank !== 4 && x.rank !== 5) fail('shape', where, `${op} takes a [B, C, H, W] or a time-major [T, B, C, H, W] input`, 'rank 4 or 5', formatShape(x.shape));
  const kernel = pairOf(options.kernel);
  const stride = pairOf(options.stride ?? options.kernel);
  const padding = pairOf(options.padding ?? 0);
  const fields = { kernel, stride, padding } as const;
  for (const [name, value] of Object.entries(fields)) {
    const min = name === 'padding' ? 0 : 1;
    if (!value.every((v) => Number.isInteger(v) && v >= min)) fail('attr', `${where}.${name}`, `${op}'s ${name} must be integers >= ${min}`, `integers >= ${min}`, JSON.stringify(value));
  }
  if (padding.some((p, k) => 2 * p > kernel[k]!)) {
    fail('attr', `${where}.padding`, `${op}'s padding must be at most half the kernel, as in PyTorch`, `<= [${kernel.map((k) => Math.floor(k / 2)).join(', ')}]`, JSON.stringify(padding));
  }
  const spatial = x.shape.slice(-2);
  const out = spatial.map((size, k) => Math.floor((size + 2 * padding[k]! - kernel[k]!) / stride[k]!) + 1) as unknown as Pair;
  if (out.some((n) => n < 1)) fail('shape', where, `the input is smaller than ${op}'s (padded) kernel [${kernel.join(', ')}]`, `H, W >= kernel - 2·padding`, formatShape(x.shape));
  return { kernel, stride, padding, out };
}

/** Applies `pool` to the images of x: a time-major x is folded to [T·B, C, H, W] and unfolded after. */
function perImage(x: Tensor, pool: (images: Tensor) => Tensor): Tensor {
  if (x.rank === 4) return pool(x);
  const y = pool(x.reshape([-1, ...x.shape.slice(2)]));
  return y.reshape([x.shape[0]!, x.shape[1]!, ...y.shape.slice(1)]);
}

/** The sum over each window (zeros outside the image count as zeros): `[.., C, H, W]` -> `[.., C, H', W']`. */
export function sumPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const w = windowOf(x, options, 'sumPool2d');
  return perImage(x, (images) => {
    const channels = images.shape[1]!;
    const ones = x.builder.constant(1, [channels, 1, ...w.kernel]);
    return images.conv2d(ones, { stride: w.stride, padding: w.padding, groups: channels });
  });
}

/** The mean over each window, padding zeros included in the count (PyTorch's `count_include_pad=True`). */
export function avgPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const { kernel } = windowOf(x, options, 'avgPool2d');
  return sumPool2d(x, options).div(kernel[0] * kernel[1]);
}

/** The maximum over each window; padding never wins (it is the lowest f32). */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const w = windowOf(x, options, 'maxPool2d');
  const [ph, pw] = w.padding;
  const [oh, ow] = w.out;
  const [sh, sw] = w.stride;
  return perImage(x, (images) => {
    const padded = ph + pw > 0 ? images.pad([[0, 0], [0, 0], [ph, ph], [pw, pw]], LOWEST_F32) : images;
    const [n, c] = images.shape;
    // One strided view per kernel offset (p, q): element [i, j] of view (p, q) is padded[i·sh + p, j·sw + q].
    const views: Tensor[] = [];
    for (let p = 0; p < w.kernel[0]; p++) {
      for (let q = 0; q < w.kernel[1]; q++) {
        const view = padded.slice([0, 0, p, q], [n!, c!, p + sh * (oh - 1) + 1, q + sw * (ow - 1) + 1], [1, 1, sh, sw]);
        views.push(view.reshape([n!, c!, oh, ow, 1]));
      }
    }
    return views.length === 1 ? views[0]!.reshape([n!, c!, oh, ow]) : x.builder.concat(views, 4).max(4);
  });
}
