import { Graph as Digraph, alg } from '@dagrejs/graphlib';
import { produce } from 'immer';
import { fail } from './errors.js';
import type { Graph, NodeId } from './graph.js';

/**
 * Graph analysis through graphlib. The dependency graph has an edge from each node to each of
 * its inputs, so a preorder from the roots is reachability and a reversed topsort is an
 * execution order.
 */
export function dependencyGraph(graph: Graph): Digraph {
  const g = new Digraph({ directed: true, multigraph: false });
  for (const id of Object.keys(graph.nodes)) g.setNode(id);
  for (const node of Object.values(graph.nodes)) {
    for (const input of node.inputs) {
      if (graph.nodes[input] === undefined) {
        fail('missing-node', node.name, `input '${input}' of node '${node.id}' is not in the graph`);
      }
      g.setEdge(node.id, input);
    }
  }
  return g;
}

/** The nodes every output and state update depends on (including themselves). */
export function roots(graph: Graph): NodeId[] {
  return [...graph.outputs.map((o) => o.node), ...graph.state.map((s) => s.update)];
}

/** Rejects a graph with a cycle, naming the nodes on it. Recurrence must go through `scan`. */
export function assertAcyclic(graph: Graph): void {
  const g = dependencyGraph(graph);
  if (alg.isAcyclic(g)) return;
  const cycle = alg.findCycles(g)[0] ?? [];
  const names = cycle.map((id) => graph.nodes[id]?.name ?? id);
  fail(
    'cycle',
    names[0] ?? '?',
    'the graph has a cycle outside scan; express recurrence with scan',
    'an acyclic graph',
    `a cycle through ${names.join(' -> ')}`,
  );
}

/** Nodes reachable from `from` (default: the graph's roots), in execution order (inputs first). */
export function topologicalOrder(graph: Graph, from: readonly NodeId[] = roots(graph)): NodeId[] {
  const g = dependencyGraph(graph);
  if (!alg.isAcyclic(g)) assertAcyclic(graph);
  const live = new Set(alg.preorder(g, [...from]));
  return alg
    .topsort(g)
    .reverse()
    .filter((id) => live.has(id));
}

/**
 * Removes every node that no output or state update depends on. Interface leaves (inputs,
 * params, state) are kept even when unused, since they are part of the calling convention.
 */
export function eliminateDeadNodes(graph: Graph): Graph {
  const g = dependencyGraph(graph);
  const keep = new Set(alg.preorder(g, [...roots(graph), ...graph.inputs, ...graph.params, ...graph.state.map((s) => s.node)]));
  const dead = Object.keys(graph.nodes).filter((id) => !keep.has(id));
  if (dead.length === 0) return graph;
  return produce(graph, (draft) => {
    for (const id of dead) delete draft.nodes[id];
  });
}
