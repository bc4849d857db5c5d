import { isTupleType, sizeOf, type Graph } from '@spikeflow/core';

/**
 * Scope segment of the tensors a scan's forward pass keeps for its backward pass (the carries
 * of every step, or only the checkpoints). Naming them makes memory inspectable on the graph.
 */
export const SAVED_SCOPE = 'saved';

export interface SavedTensorStats {
  /** Number of saved tensors. */
  readonly tensors: number;
  /** Total number of elements in them. */
  readonly elements: number;
}

/**
 * What the scans of a gradient graph keep from the forward to the backward pass: the tensors
 * `grad` names in scope `saved`. Nested scans recompute their residuals inside the outer
 * backward body, step by step, so only the graph's own (top-level) residuals are counted.
 */
export function savedTensorStats(graph: Graph): SavedTensorStats {
  let tensors = 0;
  let elements = 0;
  for (const node of Object.values(graph.nodes)) {
    if (node.op !== 'tupleGet' || isTupleType(node.type) || !node.name.split('/').includes(SAVED_SCOPE)) continue;
    tensors += 1;
    elements += sizeOf(node.type.shape);
  }
  return { tensors, elements };
}
