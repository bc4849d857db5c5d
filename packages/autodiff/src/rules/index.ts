import type { Node, Primitive } from '@spikeflow/core';
import { scanVjp } from '../scan/scan-vjp.js';
import { STRUCTURAL, type VjpEntry, type VjpTable } from '../vjp-types.js';
import { customVjpVjp } from './custom-vjp.js';
import { elementwiseVjp } from './elementwise.js';
import { leafVjp } from './leaf.js';
import { linalgVjp } from './linalg.js';
import { randomVjp } from './random.js';
import { reduceVjp } from './reduce.js';
import { shapeVjp } from './shape.js';
import { spikeVjp } from './spike.js';

/** The VJP of every primitive. Typed exhaustively: a new primitive fails tsc until it has an entry. */
export const vjpRules: VjpTable = {
  ...leafVjp,
  ...randomVjp,
  ...elementwiseVjp,
  ...spikeVjp,
  ...reduceVjp,
  ...shapeVjp,
  ...linalgVjp,
  ...scanVjp,
  ...customVjpVjp,
  tupleGet: STRUCTURAL,
};

/** The VJP table's entry for `node`'s primitive. */
export function vjpEntryOf<P extends Primitive>(node: Node<P>): VjpEntry<P> {
  return vjpRules[node.op];
}
