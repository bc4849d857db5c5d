import type { NodeId, TensorType } from '@spikeflow/core';
import { im2colItems, im2colStatements, planConv, type ConvSpec } from '../kernels/conv.js';
import { convPath, directConvItems, directConvStatements, planDirectConv } from '../kernels/conv-direct.js';
import { addressIn, argOf, type KernelContext, type NodeOf } from './lowering.js';
import { packAStage, packedProductSteps, type PackStage } from './matmul-steps.js';
import type { KernelStep } from './program.js';

/** conv1d's scalar attrs as one-axis lists, conv2d's as they are. */
function convSpec(node: NodeOf<'conv1d' | 'conv2d'>, xShape: readonly number[], wShape: readonly number[]): ConvSpec {
  if (node.op === 'conv1d') {
    const { stride, padding, dilation, groups } = node.attrs;
    return { xShape, wShape, stride: [stride], padding: [padding], dilation: [dilation], groups };
  }
  const { stride, padding, dilation, groups } = node.attrs;
  return { xShape, wShape, stride, padding, dilation, groups };
}

/**
 * The kernels of a conv1d or conv2d node, by `convPath`: the direct convolution (one kernel, no
 * scratch) where it applies and pays, else the weights packed as the A of a matmul, the columns of
 * x written straight into packed-B panels (im2col), then the packed multiply, whose output
 * [N, G, Cout/G, ΠO] is exactly [N, Cout, ...O]. Both give the same bits.
 */
export function lowerConv({ low, node, out }: KernelContext<'conv1d' | 'conv2d'>): KernelStep[] {
  const [x, w] = node.inputs as [NodeId, NodeId];
  const typeOf = (id: NodeId) => low.graph.nodes[id]!.type as TensorType;
  const spec = convSpec(node, typeOf(x).shape, typeOf(w).shape);
  const plan = planConv(spec);
  if (convPath(spec) === 'direct') {
    const direct = planDirectConv(spec, plan.outSpatial);
    return [
      {
        kind: 'kernel',
        label: `${node.name}/direct`,
        args: [argOf(low, x), argOf(low, w), out],
        items: directConvItems(direct),
        granule: 1,
        itemCost: direct.coBlock * direct.taps * plan.outSpatial[plan.outSpatial.length - 1]!,
        emit: (e) => directConvStatements(e.fn, direct, addressIn(low, e)(x), addressIn(low, e)(w), addressIn(low, e)(node.id), e.lo, e.hi),
      },
    ];
  }
  const im2col: PackStage = {
    label: 'im2col',
    source: x,
    items: im2colItems(plan),
    itemCost: 8 * plan.matmul.k,
    statements: (fn, src, dst, lo, hi) => im2colStatements(fn, plan, src, dst, lo, hi),
  };
  return packedProductSteps(low, node, out, plan.matmul, packAStage(plan.matmul, w), im2col);
}
