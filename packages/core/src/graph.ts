import { freeze } from 'immer';
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
export type AnyNode = { [P in Primitive]: Node<P> }[Primitive];

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
  readonly nodes: Readonly<Record<NodeId, AnyNode>>;
  readonly inputs: readonly NodeId[];
  readonly params: readonly NodeId[];
  readonly state: readonly StateBinding[];
  readonly outputs: readonly NamedOutput[];
}

/** Deep-freezes a freshly built graph (immer's freeze), so no one can mutate it in place. */
export function freezeGraph<G extends Graph>(graph: G): G {
  return freeze(graph, true);
}

export function nodeOf(graph: Graph, id: NodeId): Node {
  const node = graph.nodes[id];
  if (node === undefined) throw new Error(`internal: node '${id}' is not in the graph`);
  return node;
}

/** The node `id`, typed by its op; throws naming the node when its op is another. */
export function nodeAs<P extends Primitive>(graph: Graph, id: NodeId, op: P): Node<P> {
  const node = nodeOf(graph, id);
  if (node.op !== op) throw new Error(`internal: node '${node.name}' is a ${node.op}, not a ${op}`);
  return node as Node<P>;
}

/** Whether `node` applies `op`; narrows its attrs to that op's. */
export function isOp<P extends Primitive>(node: Node, op: P): node is Node<P> {
  return node.op === op;
}

/** The leaves that form a graph's interface and carry a name. */
export type NamedLeafOp = 'input' | 'param' | 'state';

/** Whether `node` is a leaf of the graph's interface (input, param or state), which has a name. */
export function isLeaf(node: Node): node is Node<NamedLeafOp> {
  return node.op === 'input' || node.op === 'param' || node.op === 'state';
}

/** The interface name of a leaf node (an input, param or state); throws for any other op. */
export function leafName(node: Node): string {
  if (!isLeaf(node)) throw new Error(`internal: node '${node.name}' is a ${node.op}, not a leaf`);
  return node.attrs.name;
}

export function outputNode(graph: Graph, name: string): Node | undefined {
  const out = graph.outputs.find((o) => o.name === name);
  return out === undefined ? undefined : graph.nodes[out.node];
}
