import type { PrimitiveAttrs, Shape, Tensor } from '@spikeflow/core';
import { unbroadcast } from '../unbroadcast.js';
import type { VjpArgs, VjpTable } from '../vjp-types.js';
import { unslice } from './shape.js';

// --- matmul -------------------------------------------------------------------------------------

/**
 * With a = op(A) [M, K], b = op(B) [K, N] and dC [M, N]: da = dC·bᵀ and db = aᵀ·dC. An operand
 * stored transposed gets the transposed product (dAᵀ = b·dCᵀ, dBᵀ = dCᵀ·a), and every
 * transpose is a matmul flag rather than a node. Broadcast batch axes are summed back.
 */
function matmulVjp(A: Tensor, B: Tensor, dC: Tensor, attrs: PrimitiveAttrs['matmul'], needs: readonly boolean[]): (Tensor | undefined)[] {
  const { transposeA: tA, transposeB: tB } = attrs;
  const dA = !needs[0] ? undefined : tA ? B.matmul(dC, { transposeA: tB, transposeB: true }) : dC.matmul(B, { transposeB: !tB });
  const dB = !needs[1] ? undefined : tB ? dC.matmul(A, { transposeA: true, transposeB: tA }) : A.matmul(dC, { transposeA: !tA });
  return [dA && unbroadcast(dA, A.shape), dB && unbroadcast(dB, B.shape)];
}

// --- convolution --------------------------------------------------------------------------------

/** conv1d and conv2d as one n-d form: per spatial axis stride, [lo, hi] padding and dilation. */
interface ConvGeometry {
  readonly stride: readonly number[];
  readonly padding: readonly (readonly [number, number])[];
  readonly dilation: readonly number[];
  readonly groups: number;
}

/** conv1d's scalar geometry as the one-axis case; conv2d's attrs already have this form. */
function conv1dGeometry(a: PrimitiveAttrs['conv1d']): ConvGeometry {
  return { stride: [a.stride], padding: [a.padding], dilation: [a.dilation], groups: a.groups };
}

/** A conv1d or conv2d node (by x's rank) with the given geometry. */
function conv(x: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  if (x.rank === 3) {
    return x.builder.op('conv1d', [x, w], { stride: g.stride[0]!, padding: [g.padding[0]![0], g.padding[0]![1]], dilation: g.dilation[0]!, groups: g.groups });
  }
  const pair = (v: readonly number[]): [number, number] => [v[0]!, v[1]!];
  return x.builder.op('conv2d', [x, w], {
    stride: pair(g.stride),
    padding: [pair(g.padding[0]!), pair(g.padding[1]!)],
    dilation: pair(g.dilation),
    groups: g.groups,
  });
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/**
 * dx: a stride-s conv is the stride-1 conv sampled every s, so the cotangent is first spread
 * back onto the dense stride-1 output (zeros between and after the samples; input positions no
 * output reached thus get 0). That is then correlated with the flipped, channel-swapped weights,
 * padded by extent - 1 - padding per side, which is the transposed convolution. Where the forward
 * padding exceeds extent - 1 that pad is negative, so the surplus is cut from the result instead.
 */
function convInputGrad(cot: Tensor, w: Tensor, xShape: Shape, g: ConvGeometry): Tensor {
  const b = cot.builder;
  const [batch, cin, ...size] = xShape as number[];
  const [cout, cinPerGroup, ...kernel] = w.shape as number[];
  const coutPerGroup = cout! / g.groups;
  const extent = kernel.map((k, d) => g.dilation[d]! * (k - 1) + 1);
  const dense = size.map((s, d) => s! + g.padding[d]![0] + g.padding[d]![1] - extent[d]! + 1);
  const spread = unslice(cot, [batch!, cout!, ...dense], [0, 0, ...dense.map(() => 0)], [1, 1, ...g.stride]);
  // Per group, w[g·Cog + o, i, k] becomes w'[g·Cig + i, o, K - 1 - k]: [Cin, Cout/groups, ...K].
  let flipped = w.reshape([g.groups, coutPerGroup, cinPerGroup!, ...kernel]).transpose([0, 2, 1, ...range(3, kernel.length)]).reshape([cin!, coutPerGroup, ...kernel]);
  kernel.forEach((k, d) => {
    if (k > 1) flipped = flipped.gather(b.constant(range(0, k).reverse(), [k], 'i32'), d + 2);
  });
  const pads = extent.map((e, d) => [e - 1 - g.padding[d]![0], e - 1 - g.padding[d]![1]] as const);
  const y = conv(spread, flipped, {
    stride: size.map(() => 1),
    padding: pads.map(([lo, hi]) => [Math.max(0, lo), Math.max(0, hi)] as const),
    dilation: g.dilation,
    groups: g.groups,
  });
  const cut = pads.map(([lo]) => Math.max(0, -lo));
  return y.shape.every((d, ax) => d === xShape[ax]) ? y : y.slice([0, 0, ...cut], [batch!, cin!, ...cut.map((c, d) => c + size[d]!)]);
}

/**
 * dw[o, i, k] = Σ_n Σ_t cot[n, o, t] · xpad[n, i, t·stride + k·dilation]: a conv over the
 * batch with roles swapped. x becomes Cig "images" whose channels are (group, sample), cot
 * becomes Cout "filters" over (sample, output position), and the forward stride and dilation
 * trade places; `groups` keeps each output channel on its own group's inputs. The result can
 * have extra taps past the kernel (when the forward dropped trailing inputs); they are cut.
 */
function convWeightGrad(cot: Tensor, x: Tensor, wShape: Shape, g: ConvGeometry): Tensor {
  const [batch, , ...size] = x.shape as number[];
  const [cout, cinPerGroup, ...kernel] = wShape as number[];
  const coutPerGroup = cout! / g.groups;
  const tail = range(3, size.length);
  const images = x.reshape([batch!, g.groups, cinPerGroup!, ...size]).transpose([2, 1, 0, ...tail]).reshape([cinPerGroup!, g.groups * batch!, ...size]);
  const outSize = cot.shape.slice(2);
  const filters = cot.reshape([batch!, g.groups, coutPerGroup, ...outSize]).transpose([1, 2, 0, ...tail]).reshape([cout!, batch!, ...outSize]);
  const y = conv(images, filters, { stride: g.dilation, padding: g.padding, dilation: g.stride, groups: g.groups });
  const taps = y.shape.slice(2).every((d, i) => d === kernel[i]) ? y : y.slice(y.shape.map(() => 0), [cinPerGroup!, cout!, ...kernel]);
  return taps.transpose([1, 0, ...range(2, kernel.length)]);
}

function convVjp({ inputs, cotangent, needs }: Pick<VjpArgs<'conv1d' | 'conv2d'>, 'inputs' | 'cotangent' | 'needs'>, g: ConvGeometry): (Tensor | undefined)[] {
  const [x, w] = inputs as [Tensor, Tensor];
  return [needs[0] ? convInputGrad(cotangent, w, x.shape, g) : undefined, needs[1] ? convWeightGrad(cotangent, x, w.shape, g) : undefined];
}

export const linalgVjp: VjpTable<'matmul' | 'conv1d' | 'conv2d'> = {
  matmul: ({ inputs, attrs, cotangent, needs }) => matmulVjp(inputs[0]!, inputs[1]!, cotangent, attrs, needs),
  conv1d: (args) => convVjp(args, conv1dGeometry(args.attrs)),
  conv2d: (args) => convVjp(args, args.attrs),
};
