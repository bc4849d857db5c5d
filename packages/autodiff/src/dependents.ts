import type { Graph, NodeId } from '@spikeflow/core';

/** Nodes whose value depends on one of `from` (forward reachability), in `order`. */
export function dependents(graph: Graph, from: Iterable<NodeId>, order: readonly NodeId[]): Set<NodeId> {
  const reached = new Set(from);
  for (const id of order) {
    if (graph.nodes[id]!.inputs.some((i) => reached.has(i))) reached.add(id);
  }
  return reached;
}
