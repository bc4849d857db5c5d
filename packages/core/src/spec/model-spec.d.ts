import { z } from 'zod';
import type { Graph } from '../graph.js';
import { GraphBuilder } from '../trace/builder.js';
import type { Tensor } from '../trace/tensor.js';
import type { DType } from '../dtype.js';
import type { Shape } from '../types.js';
/** One layer of a declarative model: plain JSON data whose `kind` names its definition. */
export interface LayerSpec {
    readonly kind: string;
}
export interface SequentialSpec {
    readonly kind: 'sequential';
    readonly layers: readonly LayerSpec[];
}
/**
 * How a layer kind becomes graph nodes. `schema` validates (and fills defaults of) its JSON form;
 * `build` traces it with the same builder API a user would call by hand, so the declarative and
 * the tracing front doors give identical graphs.
 */
export interface LayerDefinition<S extends LayerSpec = LayerSpec> {
    readonly schema: z.ZodType<S>;
    build(b: GraphBuilder, x: Tensor, spec: S): Tensor;
}
export type LayerLibrary = Readonly<Record<string, LayerDefinition<LayerSpec>>>;
export interface BuildOptions {
    readonly input: {
        readonly name: string;
        readonly shape: Shape;
        readonly dtype?: DType;
    };
    readonly library: LayerLibrary;
    /** Name of the graph's output (default `output`). */
    readonly output?: string;
}
/** The scope of layer i: its kind and position, e.g. `linear0`, `lif1`. */
export declare function layerScope(kind: string, index: number): string;
/** Validates a sequential spec (an object or its JSON text) against a layer library. */
export declare function parseSequential(spec: unknown, library: LayerLibrary): SequentialSpec;
/** Builds the graph of a sequential model: each layer traced in its own scope (`linear0`, `lif1`, ...). */
export declare function buildSequential(spec: SequentialSpec | string, options: BuildOptions): Graph;
