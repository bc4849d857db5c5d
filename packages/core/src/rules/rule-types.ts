import type { Graph, Primitive, PrimitiveAttrs } from '../graph.js';
import type { HostTensor, HostValue, Precision } from '../host-tensor.js';
import type { TensorType, ValueType } from '../types.js';

/** Only `tupleGet` reads a tuple; every other primitive takes tensors. */
type InputTypes<P extends Primitive> = P extends 'tupleGet' ? readonly ValueType[] : readonly TensorType[];
type InputValues<P extends Primitive> = P extends 'tupleGet' ? readonly HostValue[] : readonly HostTensor[];

/**
 * Output type from input types and attrs. `where` is the node's scope path; a rule that rejects
 * its inputs throws a SpikeflowError naming it.
 */
export type InferRule<P extends Primitive> = (inputs: InputTypes<P>, attrs: PrimitiveAttrs[P], where: string) => ValueType;

export interface CpuContext {
  /** Scope path of the node being evaluated. */
  readonly where: string;
  readonly precision: Precision;
  /** The fed value of the leaf being evaluated (`input`, `param`, `state`). */
  leafValue(): HostTensor;
  /** Evaluates a subgraph (scan body, customVjp forward) on positional inputs; returns its outputs in order. */
  runSubgraph(graph: Graph, inputs: readonly HostTensor[]): HostTensor[];
}

/** Reference semantics on host arrays. `type` is the node's (already inferred) output type. */
export type CpuRule<P extends Primitive> = (
  inputs: InputValues<P>,
  attrs: PrimitiveAttrs[P],
  type: ValueType,
  ctx: CpuContext,
) => HostValue;

export type InferTable<K extends Primitive = Primitive> = { readonly [P in K]: InferRule<P> };
export type CpuTable<K extends Primitive = Primitive> = { readonly [P in K]: CpuRule<P> };
