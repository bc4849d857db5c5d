import { REDUCTIONS, type ReduceOp, type TensorType } from '@spikeflow/core';
import { valueAt } from '../codegen/fused-values.js';
import { reduceItems, reduceStatements, type ReduceDType, type ReduceInput } from '../kernels/reduce.js';
import type { Expr } from '../module-builder/index.js';
import { addressIn, argOf, type KernelContext } from './lowering.js';
import type { KernelStep } from './program.js';

/**
 * The kernel of a `sum`, `max` or `mean` node: work items are output elements. An elementwise
 * chain that only this reduction reads (its fused members) is computed inside the kernel, read
 * through `valueAt` as the reduction's input.
 */
export function lowerReduction({ low, node, members, loads, out }: KernelContext<ReduceOp>): KernelStep[] {
  const { graph } = low;
  const input = node.inputs[0]!;
  const inType = graph.nodes[input]!.type as TensorType;
  const spec = { kind: REDUCTIONS[node.op], dtype: inType.dtype as ReduceDType, inputShape: inType.shape, axes: node.attrs.axes };
  const group = { graph, members };
  const items = reduceItems(spec);
  return [
    {
      kind: 'kernel',
      label: node.name,
      args: [...loads.map((l) => argOf(low, l)), out],
      items,
      granule: 4,
      itemCost: Math.max(1, inType.shape.reduce((n, d) => n * d, 1) / Math.max(1, items)) * Math.max(1, members.length),
      emit: (e) => {
        const addressOf = addressIn(low, e);
        const read: ReduceInput = { read: (index: Expr<'i32'>) => valueAt(e.fn, group, addressOf, e.lib, input, index) };
        return reduceStatements(e.fn, spec, read, addressOf(node.id), e.lo, e.hi);
      },
    },
  ];
}
