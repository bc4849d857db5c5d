import { replayedTensor, replayGraph, type Graph, type GraphBuilder, type ReplayOptions, type Tensor } from '@spikeflow/core';

/**
 * Replays a subgraph (scan body, customVjp half, custom surrogate derivative) on positional
 * inputs; returns its outputs in order. Without `options` the nodes are replayed as they are.
 */
export function replayOnInputs(b: GraphBuilder, graph: Graph, inputs: readonly Tensor[], options: ReplayOptions = {}): Tensor[] {
  const position = new Map(graph.inputs.map((id, i) => [id, i]));
  const values = replayGraph(b, graph, (n) => inputs[position.get(n.id)!]!, options);
  return graph.outputs.map((o) => replayedTensor(values.get(o.node)!));
}
