import type { Graph, Node, NodeId } from './graph.js';
import type { GraphBuilder } from './trace/builder.js';
import type { Tensor } from './trace/tensor.js';
/**
 * Helpers for graph transforms that rebuild a graph through a GraphBuilder (autodiff,
 * compiler simplification): the rebuilt graph keeps the original calling convention.
 */
/** Recreates the interface leaves (inputs, params, state) in their original order. */
export declare function copyInterface(b: GraphBuilder, graph: Graph): Map<NodeId, Tensor>;
/**
 * Finishes a rebuilt graph: the original outputs accepted by `keep` (plus `extra` outputs after
 * them) and the original state bindings, with `value` mapping an original node to its rebuilt tensor.
 */
export declare function finishLike(b: GraphBuilder, graph: Graph, value: (id: NodeId) => Tensor, leaves: ReadonlyMap<NodeId, Tensor>, options?: {
    keep?: (name: string) => boolean;
    extra?: Readonly<Record<string, Tensor>>;
}): Graph;
/** A replayed value: a tensor, or the elements of a tuple-valued node (scan, customVjp). */
export type ReplayedValue = Tensor | readonly Tensor[];
/**
 * Replays every node `graph`'s outputs and state updates need into builder `b`, with each leaf
 * (input, param, state) bound by `leaf`; tuple-valued nodes become their element tensors.
 * Names are kept, so errors and plots still speak the source graph's words.
 */
export declare function replayGraph(b: GraphBuilder, graph: Graph, leaf: (node: Node) => Tensor): Map<NodeId, ReplayedValue>;
