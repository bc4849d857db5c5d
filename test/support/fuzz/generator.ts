import type { GraphBuilder, Tensor } from '@spikeflow/core';
import { GenContext, type FeedSpec, type GraphState } from './context.js';
import { binaryOp, compareOp, integerOp, logicalOp, stepOp, unaryOp, whereOp, type OpGen } from './ops-elementwise.js';
import { largeOp } from './ops-large.js';
import { matmulOp, randomOp, reduceOp, shapeOp } from './ops-structure.js';
import { Rng } from './rng.js';
import { scanOp } from './scan-gen.js';

/** Share of graphs whose gradient graph is compared as well. */
export const GRAD_FRACTION = 0.3;

/** Relative frequency of each kind of op. */
const OPS: readonly (readonly [number, OpGen])[] = [
  [14, unaryOp],
  [5, stepOp],
  [16, binaryOp],
  [3, compareOp],
  [2, logicalOp],
  [3, whereOp],
  [4, integerOp],
  [8, reduceOp],
  [5, matmulOp],
  [10, shapeOp],
  [3, randomOp],
  [3, (g) => scanOp(g, grow)],
  [2, largeOp],
];

/** Adds `steps` random ops to the pool of `g` (an op that finds nothing to use is redrawn, a few times). */
function grow(g: GenContext, steps: number): void {
  for (let i = 0; i < steps; i++) {
    for (let attempt = 0; attempt < 4; attempt++) {
      const made = g.rng.weighted(OPS)(g);
      if (made === undefined) continue;
      g.tame(made);
      break;
    }
  }
}

/** One random graph, traced into a (possibly shared) builder under the scope `g<seed>`. */
export interface GeneratedGraph {
  readonly seed: number;
  /** Outputs named `g<seed>/y<i>` (and `g<seed>/loss` for a gradient graph). */
  readonly outputs: Readonly<Record<string, Tensor>>;
  readonly feeds: readonly FeedSpec[];
  /** The scalar loss whose gradient is taken, when this graph is a gradient graph. */
  readonly loss?: Tensor;
  /** Names of the inputs the gradient is taken with respect to. */
  readonly wrt: readonly string[];
}

/** Traces the graph of `seed` into `b`: the same graph, op for op, whatever else `b` holds. */
export function generateInto(b: GraphBuilder, seed: number): GeneratedGraph {
  const rng = new Rng(seed, 0);
  const state: GraphState = { seed, root: b, feeds: [], gradSafe: rng.chance(GRAD_FRACTION), scanDepth: 0 };
  return b.scope(`g${seed}`, () => {
    const g = new GenContext(rng, b, state, []);
    const base = g.randomShape(4);
    g.input(base);
    for (let i = rng.int(0, 2); i > 0; i--) g.input(rng.chance(0.7) ? g.compatibleShape(base) : g.randomShape(3));
    grow(g, rng.int(3, 10));
    const made = g.pool.filter((v) => b.nodeOf(v.t.id).op !== 'input');
    const chosen = new Set(Array.from({ length: rng.int(1, 3) }, () => (made.length > 0 && rng.chance(0.8) ? made[made.length - 1 - rng.int(0, Math.min(3, made.length - 1))]! : rng.pick(g.pool))));
    const outputs: Record<string, Tensor> = {};
    [...chosen].forEach((v, i) => (outputs[`g${seed}/y${i}`] = v.t));
    if (!state.gradSafe) return { seed, outputs, feeds: state.feeds, wrt: [] };
    const floats = [...chosen].filter((v) => v.t.dtype === 'f32');
    if (floats.length === 0) return { seed, outputs, feeds: state.feeds, wrt: [] };
    // loss = sum_i sum(y_i * r_i) with random weights r_i: every output element gets its own cotangent.
    const terms = floats.map((v) => v.t.mul(g.input(v.t.shape, 'f32', [-1, 1]).t).sum());
    const loss = terms.reduce((s, t) => s.add(t));
    outputs[`g${seed}/loss`] = loss;
    return { seed, outputs, feeds: state.feeds, loss, wrt: state.feeds.filter((f) => f.dtype === 'f32').map((f) => f.name) };
  });
}
