import type { GraphBuilder, Node, Primitive, PrimitiveAttrs, Tensor } from '@spikeflow/core';
import type { BackpropConfig } from './replay.js';

/** What a VJP rule sees: the node, its replayed primal inputs and output, and the output cotangent. */
export interface VjpArgs<P extends Primitive> {
  /** Builder of the gradient graph, already scoped to `grad/<node name>`. */
  readonly b: GraphBuilder;
  /** The forward node (attrs, type, name). */
  readonly node: Node<P>;
  readonly attrs: PrimitiveAttrs[P];
  /** Primal inputs, replayed in the gradient graph. */
  readonly inputs: readonly Tensor[];
  /** Primal output; for tuple-valued nodes, its elements (see `outputs`). */
  readonly output: Tensor;
  /** Elements of a tuple-valued output (scan, customVjp); `[output]` otherwise. */
  readonly outputs: readonly Tensor[];
  /** Cotangent of the output (f32, the output's shape). For tuple nodes, of element 0 if any. */
  readonly cotangent: Tensor;
  /** Cotangent of each tuple element, undefined where nothing downstream depends on it. */
  readonly cotangents: readonly (Tensor | undefined)[];
  /** Which inputs need a cotangent; a rule may skip the others (return undefined). */
  readonly needs: readonly boolean[];
  /** Options of the whole differentiation (e.g. scan checkpointing). */
  readonly config: BackpropConfig;
}

/** One cotangent per input (same shape as that input), undefined for "no gradient". */
export type VjpRule<P extends Primitive> = (args: VjpArgs<P>) => readonly (Tensor | undefined)[];

/** Marks a primitive that passes no gradient to its inputs (comparisons, RNG, integer ops, leaves). */
export const NON_DIFFERENTIABLE = 'non-differentiable' as const;
/** Marks a primitive the backprop driver handles itself (`tupleGet` routes cotangents into tuples). */
export const STRUCTURAL = 'structural' as const;

export type VjpEntry<P extends Primitive> = VjpRule<P> | typeof NON_DIFFERENTIABLE | typeof STRUCTURAL;

/** Typed exhaustively: a new primitive fails type-checking until it has a VJP entry. */
export type VjpTable<K extends Primitive = Primitive> = { readonly [P in K]: VjpEntry<P> };
