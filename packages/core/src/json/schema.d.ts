import { z } from 'zod';
import type { Graph } from '../graph.js';
import type { Primitive, PrimitiveAttrs } from '../primitives.js';
/**
 * The zod schema of the graph JSON format. It checks structure and JSON types only; what a
 * value means (an axis in range, shapes that agree) is the infer rules' job, run afterwards by
 * `validateGraph`. Objects are strict, so a misspelt field is an error rather than ignored.
 */
export declare const GRAPH_JSON_FORMAT = "spikeflow-graph";
export declare const GRAPH_JSON_VERSION = 1;
/** JSON.stringify writes -0 as 0, so the writer spells it "-0"; every number field accepts that. */
export declare const NEGATIVE_ZERO = "-0";
/**
 * Attr schema of every primitive. Typed over the primitive set, so a new primitive fails
 * type-checking until it has one here.
 */
export declare const attrSchemas: {
    readonly [P in Primitive]: z.ZodType<PrimitiveAttrs[P]>;
};
export declare const graphSchema: z.ZodType<Graph>;
/** The whole file: checked after its header, so a future version is reported as such. */
export declare const envelopeSchema: z.ZodObject<{
    format: z.ZodLiteral<"spikeflow-graph">;
    version: z.ZodLiteral<1>;
    graph: z.ZodType<Graph, unknown, z.core.$ZodTypeInternals<Graph, unknown>>;
}, z.core.$strict>;
