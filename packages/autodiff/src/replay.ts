import { replayGraph, replayedTensor, Tensor, type Graph, type GraphBuilder, type Node, type NodeId, type ReplayedValue } from '@spikeflow/core';
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
export type Replayed = ReplayedValue;

export const asTensor = replayedTensor;

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
  order?: readonly NodeId[],
): Map<NodeId, Replayed> {
  const override = (node: Node, inputs: readonly Replayed[]): Replayed | undefined => {
    if (!needsGrad.has(node.id)) return undefined;
    if (node.op === 'scan') return replayScanForGrad(b, node as Node<'scan'>, inputs.map(asTensor), config);
    if (node.op === 'customVjp') return replayCustomVjpForGrad(b, node as Node<'customVjp'>, inputs.map(asTensor));
    return undefined;
  };
  return replayGraph(b, graph, leaf, { ...(order ? { order } : {}), override });
}

/** Replays a subgraph (scan body, customVjp half) on positional inputs; returns its outputs in order. */
export function replaySubgraph(b: GraphBuilder, graph: Graph, inputs: readonly Tensor[], needsGrad: ReadonlySet<NodeId> = new Set(), config: BackpropConfig = {}): Tensor[] {
  const position = new Map(graph.inputs.map((id, i) => [id, i]));
  const values = replay(b, graph, (n) => inputs[position.get(n.id)!]!, needsGrad, config);
  return graph.outputs.map((o) => asTensor(values.get(o.node)!));
}
