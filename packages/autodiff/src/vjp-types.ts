import type { Graph, GraphBuilder, Node, NodeId, Primitive, PrimitiveAttrs, ReplayedValue, Tensor } from '@spikeflow/core';

/** Options that change how the forward pass is replayed for differentiation. */
export interface BackpropConfig {
  /** Save scan carries only every k steps and recompute the rest in the backward pass. */
  readonly checkpointEvery?: number;
}

/**
 * The recursion a rule needs to differentiate a graph it holds (a scan's body), bound to the
 * differentiation's config. The backprop driver hands it to every rule, so the rules never
 * import the driver (which reads them from the VJP table).
 */
export interface VjpContext {
  /**
   * Replays `graph` for differentiation (see replay.ts): the nodes in `needsGrad` that keep
   * residuals (nested scans, customVjps) expose them for their own VJP rules.
   */
  replay(b: GraphBuilder, graph: Graph, leaf: (node: Node) => Tensor, needsGrad: ReadonlySet<NodeId>, order?: readonly NodeId[]): Map<NodeId, ReplayedValue>;
  /** The reverse sweep over `graph` from the seeded cotangents (see backprop.ts). */
  backprop(
    b: GraphBuilder,
    graph: Graph,
    values: ReadonlyMap<NodeId, ReplayedValue>,
    seeds: ReadonlyMap<NodeId, Tensor>,
    needsGrad: ReadonlySet<NodeId>,
    order: readonly NodeId[],
  ): Map<NodeId, Tensor>;
}

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
  /** Replay and backprop of a held graph, for rules that differentiate one (scan). */
  readonly ctx: VjpContext;
}

/** One cotangent per input (same shape as that input), undefined for "no gradient". */
export type VjpRule<P extends Primitive> = (args: VjpArgs<P>) => readonly (Tensor | undefined)[];

/** What the forward replay of a node that keeps residuals sees. */
export interface ReplayForGradArgs<P extends Primitive> {
  /** Builder of the gradient graph. */
  readonly b: GraphBuilder;
  readonly node: Node<P>;
  /** The node's inputs, replayed in the gradient graph. */
  readonly inputs: readonly Tensor[];
  readonly config: BackpropConfig;
}

/** The node's tuple elements, then the residuals its VJP rule reads (as extra elements of `outputs`). */
export type ReplayForGrad<P extends Primitive> = (args: ReplayForGradArgs<P>) => Tensor[];

/**
 * The entry of a primitive whose VJP reads residuals of its forward pass (a scan's saved carries,
 * a customVjp's residuals): where the node needs a gradient, `replay` runs `replayForGrad` in
 * place of the node, and `vjp` then finds the residuals after the node's own tuple elements.
 */
export interface VjpWithResiduals<P extends Primitive> {
  readonly replayForGrad: ReplayForGrad<P>;
  readonly vjp: VjpRule<P>;
}

/** Marks a primitive that passes no gradient to its inputs (comparisons, RNG, integer ops, leaves). */
export const NON_DIFFERENTIABLE = 'non-differentiable' as const;
/** Marks a primitive the backprop driver handles itself (`tupleGet` routes cotangents into tuples). */
export const STRUCTURAL = 'structural' as const;

export type VjpEntry<P extends Primitive> = VjpRule<P> | VjpWithResiduals<P> | typeof NON_DIFFERENTIABLE | typeof STRUCTURAL;

/** Typed exhaustively: a new primitive fails type-checking until it has a VJP entry. */
export type VjpTable<K extends Primitive = Primitive> = { readonly [P in K]: VjpEntry<P> };
