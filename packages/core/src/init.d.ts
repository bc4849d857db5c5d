import type { Graph } from './graph.js';
import { type HostTensor, type Precision } from './interpreter/host-tensor.js';
import type { Initializer } from './primitives.js';
import { type TensorType } from './types.js';
export declare function initialValue(init: Initializer, type: TensorType, precision: Precision, name: string, seed?: number): HostTensor;
export interface InitParamsOptions {
    /** Integer in [0, 2^53); default 0. */
    readonly seed?: number;
    readonly precision?: Precision;
}
/**
 * Initial values of every param of a graph, keyed by the param's name, ready to feed as
 * `Feeds.params`. Each is drawn as `params.<name>`, so renaming a param changes its numbers but
 * adding another param does not.
 */
export declare function initParams(graph: Graph, options?: InitParamsOptions): Record<string, HostTensor>;
