import type { Graph } from './graph.js';
import { type Shape } from './types.js';
export interface ScopeSummary {
    /** First segment of the node names: a layer in a declarative model. */
    readonly scope: string;
    readonly ops: number;
    readonly params: readonly {
        readonly name: string;
        readonly shape: Shape;
        readonly size: number;
    }[];
    readonly paramCount: number;
}
export interface GraphSummary {
    readonly inputs: readonly string[];
    readonly outputs: readonly string[];
    readonly state: readonly string[];
    readonly scopes: readonly ScopeSummary[];
    readonly nodeCount: number;
    readonly paramCount: number;
}
/** Per-scope node and parameter counts of a graph (nested scan bodies count as one op). */
export declare function summarize(graph: Graph): GraphSummary;
/** A plain-text table of a summary, for terminals and logs. */
export declare function formatSummary(s: GraphSummary): string;
