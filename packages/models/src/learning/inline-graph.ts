import { fail, leafName, replayGraph, replayedTensor, topologicalOrder, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';

/**
 * Replays the named outputs of a small graph (a step's Jacobian, a loss's error) into builder `b`,
 * e.g. inside a scan body, with each input leaf bound by name. Only what those outputs need is
 * replayed.
 */
export function inlineGraph(b: GraphBuilder, graph: Graph, feeds: Readonly<Record<string, Tensor>>, outputs: readonly string[]): Tensor[] {
  const nodes = outputs.map((name) => {
    const o = graph.outputs.find((out) => out.name === name);
    if (o === undefined) throw new Error(`internal: the inlined graph has no output '${name}'`);
    return o.node;
  });
  const values = replayGraph(
    b,
    graph,
    (leaf) => {
      const name = leafName(leaf);
      if (leaf.op !== 'input' || !Object.hasOwn(feeds, name)) fail('interface', name, 'an inlined graph takes only the inputs it is fed');
      return feeds[name]!;
    },
    { order: topologicalOrder(graph, nodes) },
  );
  return nodes.map((id) => replayedTensor(values.get(id)!));
}
