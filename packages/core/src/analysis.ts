import { produce } from 'immer';
import { fail } from './errors.js';
import type { Graph, NodeId } from './graph.js';

/**
 * Graph analysis over `Map`s keyed by node id, so no id (`__proto__`, `constructor`) can reach
 * an object prototype, and with explicit stacks, so a long chain of nodes cannot overflow the
 * call stack. Edges run from each node to its inputs.
 */

interface Dependencies {
  /** Each node's inputs, in node order (own keys of `graph.nodes` only). */
  readonly inputs: ReadonlyMap<NodeId, readonly NodeId[]>;
  /** Each node's distinct users, in node order. */
  readonly users: ReadonlyMap<NodeId, readonly NodeId[]>;
}

/** The dependency edges of `graph`, rejecting an input that names no node of it. */
function dependencies(graph: Graph): Dependencies {
  const inputs = new Map<NodeId, readonly NodeId[]>(Object.entries(graph.nodes).map(([id, node]) => [id, node.inputs]));
  const users = new Map<NodeId, NodeId[]>([...inputs.keys()].map((id) => [id, []]));
  for (const [id, ins] of inputs) {
    for (const input of ins) {
      const list = users.get(input);
      if (list === undefined) fail('missing-node', graph.nodes[id]!.name, `input '${input}' of node '${id}' is not in the graph`);
      if (list[list.length - 1] !== id) list.push(id);
    }
  }
  return { inputs, users };
}

/** The nodes every output and state update depends on (including themselves). */
export function roots(graph: Graph): NodeId[] {
  return [...graph.outputs.map((o) => o.node), ...graph.state.map((s) => s.update)];
}

/**
 * A cycle as the nodes on it, or undefined: a depth-first walk along inputs that meets a node
 * still on its path. The nodes are listed from the last reached back to the first.
 */
function findCycle(deps: Dependencies): NodeId[] | undefined {
  const done = new Set<NodeId>();
  // The walk's path, the index of the next input to follow at each node on it, and its nodes as a set.
  const path: NodeId[] = [];
  const next: number[] = [];
  const onPath = new Set<NodeId>();
  for (const start of deps.inputs.keys()) {
    if (done.has(start)) continue;
    path.push(start);
    next.push(0);
    onPath.add(start);
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const ins = deps.inputs.get(top)!;
      const k = next[next.length - 1]!;
      if (k < ins.length) {
        next[next.length - 1] = k + 1;
        const input = ins[k]!;
        if (onPath.has(input)) return path.slice(path.indexOf(input)).reverse();
        if (!done.has(input)) {
          path.push(input);
          next.push(0);
          onPath.add(input);
        }
      } else {
        path.pop();
        next.pop();
        onPath.delete(top);
        done.add(top);
      }
    }
  }
  return undefined;
}

function failCycle(graph: Graph, cycle: readonly NodeId[]): never {
  const names = cycle.map((id) => graph.nodes[id]!.name);
  return fail('cycle', names[0] ?? '?', 'the graph has a cycle outside scan; express recurrence with scan', 'an acyclic graph', `a cycle through ${names.join(' -> ')}`);
}

/** Rejects a graph with a cycle, naming the nodes on it. Recurrence must go through `scan`. */
export function assertAcyclic(graph: Graph): void {
  const cycle = findCycle(dependencies(graph));
  if (cycle !== undefined) failCycle(graph, cycle);
}

/** Every node reachable from `from` along inputs (including `from`). */
function reachable(graph: Graph, deps: Dependencies, from: readonly NodeId[]): Set<NodeId> {
  const seen = new Set<NodeId>();
  const todo: NodeId[] = [];
  for (const id of from) {
    if (!deps.inputs.has(id)) fail('missing-node', id, `node '${id}' is named by the graph's interface but is not in the graph`);
    todo.push(id);
  }
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const input of deps.inputs.get(id)!) todo.push(input);
  }
  return seen;
}

/**
 * All nodes, inputs before their users. Starting from each node without inputs (in node order),
 * a node is placed once all its users are, and the list is then reversed; this keeps the order
 * the graph analysis has always produced, so transforms number their nodes as before.
 */
function inputsFirst(graph: Graph, deps: Dependencies): NodeId[] {
  const placed: NodeId[] = [];
  const visited = new Set<NodeId>();
  const path: NodeId[] = [];
  const next: number[] = [];
  for (const [leaf, ins] of deps.inputs) {
    if (ins.length > 0 || visited.has(leaf)) continue;
    path.push(leaf);
    next.push(0);
    visited.add(leaf);
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const users = deps.users.get(top)!;
      const k = next[next.length - 1]!;
      if (k < users.length) {
        next[next.length - 1] = k + 1;
        const user = users[k]!;
        if (!visited.has(user)) {
          visited.add(user);
          path.push(user);
          next.push(0);
        }
      } else {
        path.pop();
        next.pop();
        placed.push(top);
      }
    }
  }
  return placed.reverse();
}

/** Nodes reachable from `from` (default: the graph's roots), in execution order (inputs first). */
export function topologicalOrder(graph: Graph, from: readonly NodeId[] = roots(graph)): NodeId[] {
  const deps = dependencies(graph);
  const cycle = findCycle(deps);
  if (cycle !== undefined) failCycle(graph, cycle);
  const live = reachable(graph, deps, from);
  return inputsFirst(graph, deps).filter((id) => live.has(id));
}

/**
 * Removes every node that no output or state update depends on. Interface leaves (inputs,
 * params, state) are kept even when unused, since they are part of the calling convention.
 */
export function eliminateDeadNodes(graph: Graph): Graph {
  const deps = dependencies(graph);
  const keep = reachable(graph, deps, [...roots(graph), ...graph.inputs, ...graph.params, ...graph.state.map((s) => s.node)]);
  const dead = [...deps.inputs.keys()].filter((id) => !keep.has(id));
  if (dead.length === 0) return graph;
  return produce(graph, (draft) => {
    for (const id of dead) delete draft.nodes[id];
  });
}
