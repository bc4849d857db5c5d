import { REDUCTIONS, type ReduceOp, type TensorType } from '@spikeflow/core';
import { valueAt } from '../codegen/fused-values.js';
import {
  REDUCE_CHUNK,
  reduceCombineStatements,
  reduceItems,
  reducePartialItems,
  reducePartialStatements,
  reduceScratchBytes,
  reduceSplit,
  reduceStatements,
  type ReduceDType,
  type ReduceInput,
  type ReduceSpec,
  type ReduceSplit,
} from '../kernels/reduce.js';
import { i32, type Expr } from '../module-builder/index.js';
import { addressIn, addValue, argOf, type KernelContext } from './lowering.js';
import type { KernelEmit, KernelStep } from './program.js';

/**
 * The kernels of a `sum`, `max` or `mean` node. An elementwise chain that only this reduction
 * reads (its fused members) is computed inside the kernel, read through `valueAt` as the
 * reduction's input. Work items are output elements; a whole-tensor reduction (one output) long
 * enough for `reduceSplit` is two stages instead, so its work splits over the threads: chunk
 * partials into a scratch temporary, then one item combining them in chunk order.
 */
export function lowerReduction(ctx: KernelContext<ReduceOp>): KernelStep[] {
  const { low, node, members, loads, out } = ctx;
  const { graph } = low;
  const input = node.inputs[0]!;
  const inType = graph.nodes[input]!.type as TensorType;
  const spec = { kind: REDUCTIONS[node.op], dtype: inType.dtype as ReduceDType, inputShape: inType.shape, axes: node.attrs.axes };
  const group = { graph, members };
  const read = (e: KernelEmit): ReduceInput => ({ read: (index: Expr<'i32'>) => valueAt(e.fn, group, addressIn(low, e), e.lib, input, index) });
  const args = loads.map((l) => argOf(low, l));
  const split = reduceSplit(spec);
  if (split !== undefined) return splitSteps(ctx, spec, split, read, args);
  const items = reduceItems(spec);
  return [
    {
      kind: 'kernel',
      label: node.name,
      args: [...args, out],
      items,
      granule: 4,
      itemCost: Math.max(1, inType.shape.reduce((n, d) => n * d, 1) / Math.max(1, items)) * Math.max(1, members.length),
      emit: (e) => reduceStatements(e.fn, spec, read(e), addressIn(low, e)(node.id), e.lo, e.hi),
    },
  ];
}

function splitSteps({ low, node, members, out }: KernelContext<ReduceOp>, spec: ReduceSpec, split: ReduceSplit, read: (e: KernelEmit) => ReduceInput, args: readonly string[]): KernelStep[] {
  const partials = `${out}/partials`;
  addValue(low, partials, { shape: [reduceScratchBytes(split) / 4], dtype: spec.dtype }, 'temp');
  return [
    {
      kind: 'kernel',
      label: `${node.name}/partials`,
      args: [...args, partials],
      items: reducePartialItems(split),
      granule: 1,
      itemCost: REDUCE_CHUNK * Math.max(1, members.length),
      emit: (e) => reducePartialStatements(e.fn, spec, split, read(e), i32.const(e.offsetOf(partials)), e.lo, e.hi),
    },
    {
      kind: 'kernel',
      label: `${node.name}/combine`,
      args: [partials, out],
      items: 1,
      granule: 1,
      itemCost: split.chunks,
      emit: (e) => reduceCombineStatements(e.fn, spec, split, i32.const(e.offsetOf(partials)), addressIn(low, e)(node.id), e.lo, e.hi),
    },
  ];
}
