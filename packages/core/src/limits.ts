import { fail } from './errors.js';
import { formatType, isTupleType, sizeOf, type ValueType } from './types.js';

/**
 * The bounds that keep hostile graphs and flags from exhausting the stack or memory. Each is
 * checked before the work it bounds, and a violation is a SpikeflowError with code `limit`
 * naming the node or JSON field at fault.
 */

/** Most nested arrays and objects in graph JSON text; checked before any recursive walk. */
export const MAX_JSON_DEPTH = 256;

/** Most elements of one tensor (1 GiB as f32); checked whenever a node's type is inferred. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

/** Most bytes the CPU interpreter may hold during one evaluation; checked before it allocates. */
export const MAX_EVALUATION_BYTES = 2 ** 31;

/** Most steps of one scan; checked when the scan's type is inferred (at build and at load). */
export const MAX_SCAN_LENGTH = 2 ** 20;

/** Rejects a value type with a tensor of more than MAX_TENSOR_ELEMENTS elements, naming the node. */
export function expectTensorSize(type: ValueType, where: string): void {
  for (const t of isTupleType(type) ? type.tuple : [type]) {
    const size = sizeOf(t.shape);
    if (size > MAX_TENSOR_ELEMENTS) {
      fail('limit', where, `a tensor of ${size} elements exceeds the limit of ${MAX_TENSOR_ELEMENTS} elements per tensor`, `<= ${MAX_TENSOR_ELEMENTS} elements`, formatType(t));
    }
  }
}
