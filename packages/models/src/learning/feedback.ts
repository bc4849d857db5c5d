import type { GraphBuilder, Tensor } from '@spikeflow/core';
import { mulberry32 } from '../random/mulberry32.js';
import type { Feedback } from './rule.js';

/** `count` N(0, 1) draws (Box-Muller on mulberry32), a pure function of `seed`. */
function normals(count: number, seed: number): number[] {
  let state = seed >>> 0;
  const uniform = () => {
    const r = mulberry32(state);
    state = r.state;
    return r.value;
  };
  return Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
}

/**
 * The feedback matrix B [N, C] of L_t = δ_t Bᵀ: the readout weights themselves (symmetric, read
 * at every step, so they follow the training) or a fixed random matrix of the readout's initial
 * spread, N(0, (scale/√N)²).
 */
export function feedbackMatrix(b: GraphBuilder, feedback: Feedback, readout: Tensor): Tensor {
  if (feedback.kind === 'symmetric') return readout;
  const [hidden, outputs] = readout.shape as [number, number];
  const std = (feedback.scale ?? 1) / Math.sqrt(hidden);
  return b.constant(
    normals(hidden * outputs, feedback.seed).map((v) => v * std),
    [hidden, outputs],
  );
}
