import type { Graph } from './graph.js';
/** Graphviz DOT text of a graph: one box per node (scope path, op, type), an edge per input. */
export declare function toDot(graph: Graph, title?: string): string;
