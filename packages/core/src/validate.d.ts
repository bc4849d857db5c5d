import type { Graph, Node } from './graph.js';
import type { Primitive, PrimitiveAttrs } from './primitives.js';
import { type ValueType } from './types.js';
export declare function isPrimitive(op: unknown): op is Primitive;
/** Infers a node's output type from its input types and attrs, with the node's scope path in errors. */
export declare function inferNodeType(op: Primitive, inputs: readonly ValueType[], attrs: PrimitiveAttrs[Primitive], where: string): ValueType;
/** Graphs nested in attrs (scan bodies, customVjp halves, custom surrogates), validated with their parent. */
export declare function nestedGraphs(node: Node): Graph[];
/**
 * Checks everything a backend relies on: ids match keys, inputs exist, no cycle outside scan,
 * the interface names the right leaves, every stored type equals the type its rule infers,
 * and nested graphs are valid too. Throws a SpikeflowError naming the node or field.
 */
export declare function validateGraph(graph: Graph, where?: string): void;
