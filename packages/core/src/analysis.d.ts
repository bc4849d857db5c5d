import { Graph as Digraph } from '@dagrejs/graphlib';
import type { Graph, NodeId } from './graph.js';
/**
 * Graph analysis through graphlib. The dependency graph has an edge from each node to each of
 * its inputs, so a preorder from the roots is reachability and a reversed topsort is an
 * execution order.
 */
export declare function dependencyGraph(graph: Graph): Digraph;
/** The nodes every output and state update depends on (including themselves). */
export declare function roots(graph: Graph): NodeId[];
/** Rejects a graph with a cycle, naming the nodes on it. Recurrence must go through `scan`. */
export declare function assertAcyclic(graph: Graph): void;
/** Nodes reachable from `from` (default: the graph's roots), in execution order (inputs first). */
export declare function topologicalOrder(graph: Graph, from?: readonly NodeId[]): NodeId[];
/**
 * Removes every node that no output or state update depends on. Interface leaves (inputs,
 * params, state) are kept even when unused, since they are part of the calling convention.
 */
export declare function eliminateDeadNodes(graph: Graph): Graph;
