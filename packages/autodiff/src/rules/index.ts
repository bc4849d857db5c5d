import type { VjpTable } from '../vjp-types.js';
import { STRUCTURAL } from '../vjp-types.js';
import { customVjpVjp } from './custom-vjp.js';
import { elementwiseVjp } from './elementwise.js';
import { leafVjp } from './leaf.js';
import { linalgVjp } from './linalg.js';
import { randomVjp } from './random.js';
import { reduceVjp } from './reduce.js';
import { scanVjp } from './scan.js';
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
