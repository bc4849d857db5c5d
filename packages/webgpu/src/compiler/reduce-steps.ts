import { REDUCTIONS, type NodeId, type ReduceOp, type TensorType } from '@spikeflow/core';
import type { BufferBinding } from '../codegen/kernel-source.js';
import { reduceKernel, reductionExtent, splitReduction, type ReduceArgs } from '../codegen/reduce.js';
import { valueFunctions } from '../codegen/value-functions.js';
import { addValue, bindingOf, producedValueId, type KernelContext, type Lowering } from './lowering.js';
import type { KernelStep } from './program.js';

/**
 * The dispatches of a `sum`, `max` or `mean` node. An elementwise chain that only this reduction
 * reads (its fused members) is computed inside the kernel as the `reduce_input` prologue.
 */
export function lowerReduction({ low, node, members, loads, arg, out }: KernelContext<ReduceOp>): KernelStep[] {
  const { graph } = low;
  const input = node.inputs[0]!;
  const inType = graph.nodes[input]!.type as TensorType;
  const packed = new Set(loads.filter((l) => low.packed.has(l)));
  const reduction: ReduceArgs = {
    label: node.name,
    op: node.op,
    inShape: inType.shape,
    axes: node.attrs.axes,
    keepDims: node.attrs.keepDims,
    dtype: inType.dtype,
    input:
      members.length === 0
        ? undefined
        : (sizes) => {
            const prologue = valueFunctions(graph, members, loads, low.stepStrides, packed, sizes);
            return { code: `${prologue.code}\nfn reduce_input(i: u32) -> ${inType.dtype} { return ${prologue.names.get(input)!}(i); }`, bindings: prologue.bindings };
          },
    inputBinding: members.length === 0 ? bindingOf(low, input, 'in0', 'read') : undefined,
    out,
  };
  return reduceSteps(low, reduction, loads.map(arg), producedValueId(low, node.id), members.length > 0 ? members : [node.id]);
}

/**
 * The dispatches of a reduction: one, or for a few outputs over a long range (a loss summed over
 * a whole tensor) two — partial results over chunks of the range on many workgroups, then their
 * combination. `args` describes the whole reduction; `reads` are the value ids its input bindings
 * bind, in order, and `result` the value it writes.
 */
export function reduceSteps(low: Lowering, args: ReduceArgs, reads: readonly NodeId[], result: NodeId, nodes: readonly NodeId[]): KernelStep[] {
  const { count, outputs } = reductionExtent(args.inShape, args.axes);
  const chunks = splitReduction(outputs, count);
  if (chunks === undefined) return [{ kind: 'kernel', source: reduceKernel(args), args: [...reads, result], nodes }];
  const partialType = { shape: [outputs, chunks], dtype: args.dtype } as const;
  const partialId = `${result}/partial`;
  addValue(low, partialId, partialType, 'temp', `${args.label} (partial results)`);
  const partial: BufferBinding = { name: 'partial_out', access: 'read_write', type: partialType, stepStride: 0 };
  const combine = reduceKernel({
    label: args.label,
    // The partial results combine the same way, as a plain sum or max; a mean divides at the end.
    op: REDUCTIONS[args.op].combine,
    inShape: partialType.shape,
    axes: [1],
    keepDims: false,
    dtype: args.dtype,
    input: undefined,
    inputBinding: { name: 'in0', access: 'read', type: partialType, stepStride: 0 },
    out: args.out,
    ...(REDUCTIONS[args.op].divideByCount ? { divisor: count } : {}),
  });
  return [
    { kind: 'kernel', source: reduceKernel({ ...args, out: partial, chunks }), args: [...reads, partialId], nodes },
    { kind: 'kernel', source: combine, args: [partialId, result], nodes },
  ];
}
