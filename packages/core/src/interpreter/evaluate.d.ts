import type { Graph } from '../graph.js';
import { type HostTensor, type Precision } from './host-tensor.js';
export type FeedValue = HostTensor | ArrayLike<number> | number;
export interface Feeds {
    readonly inputs?: Readonly<Record<string, FeedValue>>;
    readonly params?: Readonly<Record<string, FeedValue>>;
    /** Missing state starts from its initializer: a fresh episode. */
    readonly state?: Readonly<Record<string, FeedValue>>;
}
export interface EvaluateOptions {
    readonly precision?: Precision;
    /** Seed of the initializers of state that is not fed (default 0). */
    readonly seed?: number;
    /** Reject the first node that produces a NaN, naming it. */
    readonly checkNaN?: boolean;
}
export interface EvaluateResult {
    readonly outputs: Readonly<Record<string, HostTensor>>;
    /** The next value of every state, to feed to the next call. */
    readonly state: Readonly<Record<string, HostTensor>>;
}
/** Evaluates a subgraph whose inputs are given by position; returns its outputs in order. */
export declare function runPositional(graph: Graph, inputs: readonly HostTensor[], precision: Precision, checkNaN?: boolean): HostTensor[];
/**
 * The CPU reference interpreter: runs a graph on host arrays. Correct, not fast; every backend
 * is checked against it.
 */
export declare function evaluate(graph: Graph, feeds?: Feeds, options?: EvaluateOptions): EvaluateResult;
