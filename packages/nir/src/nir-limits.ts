import { MAX_TENSOR_ELEMENTS } from '@spikeflow/core';
import type { NirLocation } from './nir-location.js';

/**
 * Bounds on what one NIR document may make the reader do, checked before the work they bound.
 * HDF5 groups can be hard-linked into several places (even into themselves), so a small file can
 * describe an exponentially large tree: the node count and the element count are totals over the
 * document as read, not per group.
 */

/**
 * Most levels of NIRGraph nesting. Far below graph JSON's MAX_JSON_DEPTH because h5wasm reaches
 * every object by its full path, so reading grows faster than the square of the depth: 40 levels
 * take about a second, 256 would take minutes. Real NIR graphs nest a few levels.
 */
export const MAX_NIR_DEPTH = 32;

/**
 * Most nodes in one document, nested graphs' nodes included. A NIR node is a layer, not a unit,
 * so real graphs have tens to hundreds; reading costs about a millisecond per node, so this caps
 * a hostile file's hard-link fan-out at seconds of work.
 */
export const MAX_NIR_NODES = 4096;

/** Most array elements in one document (parameters, shapes and edge names together). */
export const MAX_NIR_ELEMENTS = MAX_TENSOR_ELEMENTS;

/** Counts nodes and elements as a document is read or checked, and refuses a total over the limit. */
export class NirBudget {
  private nodes = 0;
  private elements = 0;

  takeNode(at: NirLocation): void {
    this.nodes += 1;
    if (this.nodes > MAX_NIR_NODES) at.fail('limit', `the document has more than ${MAX_NIR_NODES} nodes`, `<= ${MAX_NIR_NODES} nodes`);
  }

  takeElements(count: number, at: NirLocation): void {
    this.elements += count;
    if (this.elements > MAX_NIR_ELEMENTS) {
      at.fail('limit', `the document's arrays exceed ${MAX_NIR_ELEMENTS} elements in all`, `<= ${MAX_NIR_ELEMENTS} elements`, `${this.elements} so far`);
    }
  }
}

export function expectDepth(depth: number, at: NirLocation): void {
  if (depth > MAX_NIR_DEPTH) at.fail('limit', `NIRGraph nodes nest more than ${MAX_NIR_DEPTH} deep`, `<= ${MAX_NIR_DEPTH} levels`);
}
