import type { AnyNode, Primitive } from '../graph.js';
import { BINARY_OPS, COMPARE_OPS, LOGICAL_OPS, UNARY_OPS } from '../primitives.js';
import type { TensorType } from '../types.js';

/** Primitives computed element by element (operands broadcast), which passes may move across a scan's boundary. */
export const ELEMENTWISE: ReadonlySet<Primitive> = new Set<Primitive>([...UNARY_OPS, ...BINARY_OPS, ...COMPARE_OPS, ...LOGICAL_OPS, 'spike']);

/** A rank-0 literal: the same inside a scan body and outside it. */
export const isScalarConstant = (n: AnyNode): boolean => n.op === 'constant' && typeof n.attrs.value === 'number' && (n.type as TensorType).shape.length === 0;
