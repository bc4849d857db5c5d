import { fail, formatShape, type Tensor } from '@spikeflow/core';
import { avgPool2d, sumPool2d } from '@spikeflow/models';
import type { NirAffine, NirAvgPool2d, NirConv1d, NirConv2d, NirFlatten, NirLinear, NirScale, NirSumPool2d, NirThreshold } from '../nir-graph.js';
import { expectFinite, nextUpF32, toF32 } from './arrays.js';
import type { MapNode, NodeContext } from './node-context.js';

/**
 * NIR's stateless nodes as functions of a tensor `[N, ...shape]` whose leading axis N is a batch:
 * B inside a scan step, T·B when a whole sequence is folded into one batch (as models' conv and
 * linear layers fold it), so a layer outside any cycle runs once for all steps.
 */

export type FeedForwardNode = NirAffine | NirLinear | NirScale | NirThreshold | NirFlatten | NirConv1d | NirConv2d | NirSumPool2d | NirAvgPool2d;

function expectFeatures(ctx: NodeContext, x: Tensor, features: number): void {
  if (x.shape[x.rank - 1] !== features) {
    fail('shape', ctx.name, `the input has the wrong number of features for this NIR node's weight`, `[..., ${features}]`, formatShape(x.shape.slice(1)));
  }
}

/** y = x Wᵀ over the last axis, W `[out, in]` as NIR stores it. */
function dense(ctx: NodeContext, node: NirAffine | NirLinear): MapNode {
  expectFinite(node.weight, `${ctx.name}.weight`);
  if (node.weight.shape.length !== 2) fail('shape', `${ctx.name}.weight`, 'a Linear/Affine weight must be 2-d [out, in]', '[out, in]', formatShape(node.weight.shape));
  const [out, features] = node.weight.shape as [number, number];
  const w = ctx.param('weight', node.weight);
  let bias: Tensor | undefined;
  if (node.type === 'Affine') {
    expectFinite(node.bias, `${ctx.name}.bias`);
    if (node.bias.data.length !== out) fail('shape', `${ctx.name}.bias`, 'the bias must have one element per output', `[${out}]`, formatShape(node.bias.shape));
    bias = ctx.param('bias', { ...node.bias, shape: [out] } as typeof node.bias);
  }
  return {
    kind: 'map',
    apply: (x) => {
      expectFeatures(ctx, x, features);
      const y = (x.rank > 2 ? x.reshape([-1, features]) : x).matmul(w, { transposeB: true });
      const shaped = x.rank > 2 ? y.reshape([...x.shape.slice(0, -1), out]) : y;
      return bias === undefined ? shaped : shaped.add(bias);
    },
  };
}

function conv(ctx: NodeContext, node: NirConv1d | NirConv2d): MapNode {
  expectFinite(node.weight, `${ctx.name}.weight`);
  const spatial = node.type === 'Conv1d' ? 1 : 2;
  if (node.weight.shape.length !== spatial + 2) fail('shape', `${ctx.name}.weight`, `a ${node.type} weight is [out, in/groups, ${spatial === 1 ? 'K' : 'KH, KW'}]`, `rank ${spatial + 2}`, formatShape(node.weight.shape));
  const w = ctx.param('weight', node.weight);
  const out = node.weight.shape[0]!;
  let bias: Tensor | undefined;
  if (node.bias !== undefined) {
    expectFinite(node.bias, `${ctx.name}.bias`);
    bias = ctx.param('bias', node.bias).reshape([out, ...Array<number>(spatial).fill(1)]);
  }
  return {
    kind: 'map',
    apply: (x) => {
      if (x.rank !== spatial + 2) fail('shape', ctx.name, `a ${node.type} takes a [C, ${spatial === 1 ? 'L' : 'H, W'}] input per sample`, `rank ${spatial + 1}`, formatShape(x.shape.slice(1)));
      const y =
        node.type === 'Conv1d'
          ? x.conv1d(w, { stride: node.stride, padding: node.padding, dilation: node.dilation, groups: node.groups })
          : x.conv2d(w, { stride: [node.stride[0]!, node.stride[1]!], padding: [node.padding[0]!, node.padding[1]!], dilation: [node.dilation[0]!, node.dilation[1]!], groups: node.groups });
      return bias === undefined ? y : y.add(bias);
    },
  };
}

function pool(ctx: NodeContext, node: NirSumPool2d | NirAvgPool2d): MapNode {
  const options = { kernel: [node.kernel_size[0]!, node.kernel_size[1]!], stride: [node.stride[0]!, node.stride[1]!], padding: [node.padding[0]!, node.padding[1]!] } as const;
  return { kind: 'map', apply: (x) => (node.type === 'SumPool2d' ? sumPool2d(x, options) : avgPool2d(x, options)) };
}

/** Merges the per-sample axes start_dim..end_dim (negative counts from the end of the per-sample shape). */
function flatten(ctx: NodeContext, node: NirFlatten): MapNode {
  return {
    kind: 'map',
    apply: (x) => {
      const sample = x.shape.slice(1);
      const norm = (d: number) => (d < 0 ? d + sample.length : d);
      const [start, end] = [norm(node.start_dim), norm(node.end_dim)];
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= sample.length || start > end) {
        fail('attr', ctx.name, 'Flatten needs 0 <= start_dim <= end_dim < rank of the per-sample input', `axes of ${formatShape(sample)}`, `start_dim ${node.start_dim}, end_dim ${node.end_dim}`);
      }
      const merged = sample.slice(start, end + 1).reduce((a, d) => a * d, 1);
      return x.reshape([x.shape[0]!, ...sample.slice(0, start), merged, ...sample.slice(end + 1)]);
    },
  };
}

function scale(ctx: NodeContext, node: NirScale): MapNode {
  expectFinite(node.scale, `${ctx.name}.scale`);
  const s = ctx.param('scale', node.scale);
  return { kind: 'map', apply: (x) => x.mul(s) };
}

/** y = 1 where x > θ (NIR), or x ≥ θ with the `at-or-above` firing rule; the gradient is the default surrogate. */
function threshold(ctx: NodeContext, node: NirThreshold): MapNode {
  expectFinite(node.threshold, `${ctx.name}.threshold`);
  const values = Array.from(toF32(node.threshold), (t) => (ctx.options.firing === 'above' ? nextUpF32(t) : t));
  const theta = ctx.constant('threshold', node.threshold.shape, values);
  return { kind: 'map', apply: (x) => x.sub(theta).spike() };
}

export function feedForward(ctx: NodeContext, node: FeedForwardNode): MapNode {
  switch (node.type) {
    case 'Affine':
    case 'Linear':
      return dense(ctx, node);
    case 'Conv1d':
    case 'Conv2d':
      return conv(ctx, node);
    case 'SumPool2d':
    case 'AvgPool2d':
      return pool(ctx, node);
    case 'Flatten':
      return flatten(ctx, node);
    case 'Scale':
      return scale(ctx, node);
    case 'Threshold':
      return threshold(ctx, node);
  }
}
