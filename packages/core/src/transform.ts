import { topologicalOrder } from './analysis.js';
import { nodeAs, type Graph, type Node, type NodeId } from './graph.js';
import type { GraphBuilder } from './trace/builder.js';
import type { Tensor } from './trace/builder.js';
import { isTupleType } from './types.js';

/**
 * Helpers for graph transforms that rebuild a graph through a GraphBuilder (autodiff,
 * compiler simplification): the rebuilt graph keeps the original calling convention.
 */

/**
 * Recreates the interface leaves (inputs, params, state) in their original order. A state leaf
 * for which `stateAsParam` holds becomes a param of the same name (e.g. statistics a training run
 * accumulated, fed in as values for evaluation).
 */
export function copyInterface(b: GraphBuilder, graph: Graph, stateAsParam: (node: NodeId) => boolean = () => false): Map<NodeId, Tensor> {
  const leaves = new Map<NodeId, Tensor>();
  for (const id of graph.inputs) {
    const a = nodeAs(graph, id, 'input').attrs;
    leaves.set(id, b.input(a.name, a.shape, a.dtype));
  }
  for (const id of graph.params) {
    const a = nodeAs(graph, id, 'param').attrs;
    leaves.set(id, b.param(a.name, a.shape, a.init, a.dtype));
  }
  for (const s of graph.state) {
    const a = nodeAs(graph, s.node, 'state').attrs;
    leaves.set(s.node, stateAsParam(s.node) ? b.param(a.name, a.shape, a.init, a.dtype) : b.state(a.name, a.shape, a.init, a.dtype));
  }
  return leaves;
}

/**
 * Finishes a rebuilt graph: the original outputs accepted by `keep` (plus `extra` outputs after
 * them) and the original state bindings, with `value` mapping an original node to its rebuilt tensor.
 */
export function finishLike(
  b: GraphBuilder,
  graph: Graph,
  value: (id: NodeId) => Tensor,
  leaves: ReadonlyMap<NodeId, Tensor>,
  options: { keep?: (name: string) => boolean; extra?: Readonly<Record<string, Tensor>> } = {},
): Graph {
  // Null-prototype: an output named `__proto__` stays an output.
  const outputs: Record<string, Tensor> = Object.create(null);
  for (const o of graph.outputs) if (options.keep?.(o.name) ?? true) outputs[o.name] = value(o.node);
  Object.assign(outputs, options.extra ?? {});
  for (const s of graph.state) b.setState(leaves.get(s.node)!, value(s.update));
  return b.finish(outputs);
}

/** A replayed value: a tensor, or the elements of a tuple-valued node (scan, customVjp). */
export type ReplayedValue = Tensor | readonly Tensor[];

/** Options of `replayGraph`. */
export interface ReplayOptions {
  /** Nodes to replay, in order (default: what the outputs and state updates need, inputs first). */
  readonly order?: readonly NodeId[];
  /**
   * Replays a node differently (e.g. autodiff exposes a scan's residuals, the compiler merges
   * duplicates); `undefined` falls back to replaying the node as it is.
   */
  readonly override?: (node: Node, inputs: readonly ReplayedValue[]) => ReplayedValue | undefined;
}

/** The tensor of a replayed value; a tuple where a tensor is expected is a transform's bug. */
export function replayedTensor(v: ReplayedValue): Tensor {
  if (Array.isArray(v)) throw new Error('internal: a tuple was used where a tensor was expected');
  return v as Tensor;
}

/** A node's replay as itself: one op, whose tuple (scan, customVjp) is split into its elements. */
export function replayAsIs(b: GraphBuilder, node: Node, inputs: readonly ReplayedValue[]): ReplayedValue {
  const t = b.op(node.op, inputs.map(replayedTensor), node.attrs as never, node.name);
  return isTupleType(t.type) ? t.type.tuple.map((_, k) => t.get(k)) : t;
}

/**
 * Replays `graph`'s nodes into builder `b`, with each leaf (input, param, state) bound by `leaf`;
 * tuple-valued nodes become their element tensors. Names are kept, so errors and plots still
 * speak the source graph's words.
 */
export function replayGraph(b: GraphBuilder, graph: Graph, leaf: (node: Node) => Tensor, options: ReplayOptions = {}): Map<NodeId, ReplayedValue> {
  const values = new Map<NodeId, ReplayedValue>();
  for (const id of options.order ?? topologicalOrder(graph)) {
    const node = graph.nodes[id]!;
    const inputs = node.inputs.map((i) => values.get(i)!);
    let value: ReplayedValue;
    if (node.op === 'input' || node.op === 'param' || node.op === 'state') value = leaf(node);
    else if (node.op === 'tupleGet') value = (inputs[0] as readonly Tensor[])[node.attrs.index]!;
    else value = options.override?.(node, inputs) ?? replayAsIs(b, node, inputs);
    values.set(id, value);
  }
  return values;
}
