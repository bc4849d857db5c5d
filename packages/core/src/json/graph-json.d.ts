import { type Graph } from '../graph.js';
/**
 * Graph JSON I/O. The file is an envelope `{ format, version, graph }`. Reading checks, in
 * order: JSON syntax, the envelope, the zod schema (structure, ops, attrs), then
 * `validateGraph` (cycles, interface, re-inferred types). The result is a new frozen graph or a
 * SpikeflowError; nothing is half loaded.
 */
export interface GraphToJSONOptions {
    /** Indent with two spaces. */
    readonly pretty?: boolean;
}
/** The graph as JSON text: `{ "format": "spikeflow-graph", "version": 1, "graph": {...} }`. */
export declare function graphToJSON(graph: Graph, options?: GraphToJSONOptions): string;
/**
 * Reads a graph from JSON text, checking everything before returning: syntax, envelope, schema,
 * ops, attrs, then `validateGraph`. Returns a new frozen graph or throws a SpikeflowError.
 */
export declare function graphFromJSON(text: string): Graph;
