import type { Primitive, PrimitiveAttrs } from './primitives.js';
import type { ValueType } from './types.js';
export type NodeId = string;
/** One primitive application. Plain JSON-able data, deeply frozen once in a graph. */
export interface Node<P extends Primitive = Primitive> {
    readonly id: NodeId;
    readonly op: P;
    readonly inputs: readonly NodeId[];
    readonly attrs: PrimitiveAttrs[P];
    readonly type: ValueType;
    /** Scope path such as `lsnn/rec/alif/add`, so errors and plots speak the user's words. */
    readonly name: string;
}
/** A node whose op is known, for rules that read typed attrs. */
export type AnyNode = {
    [P in Primitive]: Node<P>;
}[Primitive];
export interface NamedOutput {
    readonly name: string;
    readonly node: NodeId;
}
export interface StateBinding {
    /** The `state` leaf read by this call. */
    readonly node: NodeId;
    /** The node whose value becomes that state on the next call. */
    readonly update: NodeId;
}
/**
 * An immutable dataflow graph. Its interface: `inputs` (fed per call, in order), `params`
 * (trainable), `state` (carried between calls) and named `outputs` (in order). Edit it only
 * through immer's `produce`; every transform returns a new graph sharing structure with the old.
 */
export interface Graph {
    readonly nodes: Readonly<Record<NodeId, Node>>;
    readonly inputs: readonly NodeId[];
    readonly params: readonly NodeId[];
    readonly state: readonly StateBinding[];
    readonly outputs: readonly NamedOutput[];
}
/** Deep-freezes a freshly built graph (immer's freeze), so no one can mutate it in place. */
export declare function freezeGraph<G extends Graph>(graph: G): G;
export declare function nodeOf(graph: Graph, id: NodeId): Node;
export declare function outputNode(graph: Graph, name: string): Node | undefined;
