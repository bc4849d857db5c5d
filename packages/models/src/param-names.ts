import { leafName, type Graph } from '@spikeflow/core';

/** The names of a graph's trainable parameters, in the graph's order (the names `grad`'s `wrt` and a runner's state use). */
export const paramNames = (graph: Graph): string[] => graph.params.map((id) => leafName(graph.nodes[id]!));
