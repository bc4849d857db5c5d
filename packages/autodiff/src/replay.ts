import { topologicalOrder, type Graph, type GraphBuilder, type Node, type NodeId, type PrimitiveAttrs, Tensor, isTupleType } from '@spikeflow/core';
// Load order: backprop.js (and with it the VJP table) before the scan hook. The scan rule calls
// back into backprop.js, so entering that cycle at rules/scan.js would spread the table's scan
// entry before rules/scan.js had defined it.
import './backprop.js';
import { replayCustomVjpForGrad } from './rules/custom-vjp.js';
import { replayScanForGrad } from './rules/scan.js';

/** Options that change how the forward pass is replayed for differentiation. */
export interface BackpropConfig {
  /** Save scan carries only every k steps and recompute the rest in the backward pass. */
  readonly checkpointEvery?: number;
}

/** A replayed value: a tensor, or the elements of a tuple-valued node. */
export type Replayed = Tensor | readonly Tensor[];

export function asTensor(v: Replayed): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error('internal: a tuple was used where a tensor was expected');
}

export function elementsOf(v: Replayed): readonly Tensor[] {
  return v instanceof Tensor ? [v] : v;
}

/**
 * Replays `graph` node by node into builder `b`, with each leaf bound by `leaf`. Nodes that
 * need a gradient and keep residuals (scan, customVjp) are replayed in a form that exposes
 * them: their tuple gets extra elements after the original ones, read by their VJP rules.
 */
export function replay(
  b: GraphBuilder,
  graph: Graph,
  leaf: (node: Node) => Tensor,
  needsGrad: ReadonlySet<NodeId>,
  config: BackpropConfig,
  order: readonly NodeId[] = topologicalOrder(graph),
): Map<NodeId, Replayed> {
  const values = new Map<NodeId, Replayed>();
  for (const id of order) {
    const node = graph.nodes[id]!;
    const inputs = node.inputs.map((i) => values.get(i)!);
    values.set(id, replayNode(b, node, inputs, needsGrad.has(id), config, leaf));
  }
  return values;
}

function replayNode(b: GraphBuilder, node: Node, inputs: readonly Replayed[], needsGrad: boolean, config: BackpropConfig, leaf: (node: Node) => Tensor): Replayed {
  switch (node.op) {
    case 'input':
    case 'param':
    case 'state':
      return leaf(node);
    case 'tupleGet':
      return elementsOf(inputs[0]!)[(node.attrs as PrimitiveAttrs['tupleGet']).index]!;
    case 'scan':
      if (needsGrad) return replayScanForGrad(b, node as Node<'scan'>, inputs.map(asTensor), config);
      break;
    case 'customVjp':
      if (needsGrad) return replayCustomVjpForGrad(b, node as Node<'customVjp'>, inputs.map(asTensor));
      break;
    default:
      break;
  }
  const out = b.op(node.op, inputs.map(asTensor), node.attrs as never, node.name);
  return isTupleType(out.type) ? out.type.tuple.map((_, i) => out.get(i)) : out;
}

/** Replays a subgraph (scan body, customVjp half) on positional inputs; returns its outputs in order. */
export function replaySubgraph(b: GraphBuilder, graph: Graph, inputs: readonly Tensor[], needsGrad: ReadonlySet<NodeId> = new Set(), config: BackpropConfig = {}): Tensor[] {
  const position = new Map(graph.inputs.map((id, i) => [id, i]));
  const values = replay(b, graph, (n) => inputs[position.get(n.id)!]!, needsGrad, config);
  return graph.outputs.map((o) => asTensor(values.get(o.node)!));
}
