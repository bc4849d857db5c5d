import type { FlatGraph } from './flat-graph.js';

/**
 * The order in which the importer evaluates a flat NIR graph.
 *
 * NIR's convention for recurrence: an edge that closes a cycle carries the output its source had
 * at the previous step. Which edge closes a cycle is found by a depth-first walk from the Input
 * nodes (in file order, then any node not reached), following edges in file order: an edge to a
 * node still on the walk's stack is a back edge. Removing the back edges leaves a DAG.
 *
 * Nodes on a common cycle (a strongly connected component) must advance together one step at a
 * time, so each such component is one stage, run as one scan over time; every other node is a
 * stage of its own. Stages come in an order where each one's inputs are ready.
 */
export interface Schedule {
  /** Edge indices (into `FlatGraph.edges`) that carry the previous step's value. */
  readonly backEdges: ReadonlySet<number>;
  /** Stages in evaluation order; each lists its nodes in the order a step evaluates them. */
  readonly stages: readonly (readonly string[])[];
}

function outgoing(graph: FlatGraph): Map<string, number[]> {
  const out = new Map<string, number[]>([...graph.nodes.keys()].map((n) => [n, []]));
  graph.edges.forEach(([from], i) => out.get(from)!.push(i));
  return out;
}

function findBackEdges(graph: FlatGraph, out: Map<string, number[]>): Set<number> {
  const back = new Set<number>();
  const state = new Map<string, 'open' | 'done'>();
  const roots = [...graph.nodes].filter(([, n]) => n.type === 'Input').map(([k]) => k);
  for (const root of [...roots, ...graph.nodes.keys()]) {
    if (state.has(root)) continue;
    // Iterative DFS (a file may chain many nodes): each frame is a node and its next edge.
    const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edges = out.get(top.node)!;
      if (top.next === edges.length) {
        state.set(top.node, 'done');
        stack.pop();
        continue;
      }
      const e = edges[top.next++]!;
      const to = graph.edges[e]![1];
      const seen = state.get(to);
      if (seen === 'open') back.add(e);
      else if (seen === undefined) {
        state.set(to, 'open');
        stack.push({ node: to, next: 0 });
      }
    }
  }
  return back;
}

/** Tarjan's strongly connected components (recursive; the depth is bounded by the node count). */
function components(graph: FlatGraph, out: Map<string, number[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const e of out.get(v)!) {
      const w = graph.edges[e]![1];
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      result.push(component);
    }
  };
  for (const v of graph.nodes.keys()) if (!index.has(v)) connect(v);
  return result;
}

/** Kahn's topological order of `nodes` over the forward (non-back) edges, ties in file order. */
function topological(graph: FlatGraph, nodes: readonly string[], back: ReadonlySet<number>, rank: (n: string) => string): string[] {
  const members = new Set(nodes);
  const indegree = new Map(nodes.map((n) => [n, 0]));
  graph.edges.forEach(([from, to], i) => {
    if (!back.has(i) && members.has(from) && members.has(to) && from !== to) indegree.set(to, indegree.get(to)! + 1);
  });
  const order: string[] = [];
  const ready = nodes.filter((n) => indegree.get(n) === 0);
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    graph.edges.forEach(([from, to], i) => {
      if (from !== n || back.has(i) || !members.has(to) || to === from) return;
      indegree.set(to, indegree.get(to)! - 1);
      if (indegree.get(to) === 0) ready.push(to);
    });
  }
  if (order.length !== nodes.length) throw new Error(`internal: the forward edges of ${rank(nodes[0]!)} still hold a cycle`);
  return order;
}

export function scheduleGraph(graph: FlatGraph): Schedule {
  const out = outgoing(graph);
  const backEdges = findBackEdges(graph, out);
  // Tarjan emits components in reverse topological order of the condensation.
  const comps = components(graph, out).reverse();
  const stages = comps.map((c) => topological(graph, c, backEdges, (n) => n));
  return { backEdges, stages };
}
