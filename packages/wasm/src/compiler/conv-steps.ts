import type { NodeId, TensorType } from '@spikeflow/core';
import { im2colItems, im2colStatements, planConv, type ConvSpec } from '../kernels/conv.js';
import type { KernelContext, NodeOf } from './lowering.js';
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
 * The kernels of a conv1d or conv2d node: the weights packed as the A of a matmul, the columns of
 * x written straight into packed-B panels (im2col), then the packed multiply, whose output
 * [N, G, Cout/G, ΠO] is exactly [N, Cout, ...O].
 */
export function lowerConv({ low, node, out }: KernelContext<'conv1d' | 'conv2d'>): KernelStep[] {
  const [x, w] = node.inputs as [NodeId, NodeId];
  const typeOf = (id: NodeId) => low.graph.nodes[id]!.type as TensorType;
  const plan = planConv(convSpec(node, typeOf(x).shape, typeOf(w).shape));
  const im2col: PackStage = {
    label: 'im2col',
    source: x,
    items: im2colItems(plan),
    itemCost: 8 * plan.matmul.k,
    statements: (fn, src, dst, lo, hi) => im2colStatements(fn, plan, src, dst, lo, hi),
  };
  return packedProductSteps(low, node, out, plan.matmul, packAStage(plan.matmul, w), im2col);
}
