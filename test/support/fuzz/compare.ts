import { toArray, type HostTensor } from '@spikeflow/core';
import { assertClose, type Tolerance } from '../parity/close.js';

/**
 * The fuzz tolerance: |gpu - cpu| <= atol + rtol * |cpu|, elementwise, the parity suite's
 * REDUCTION level (1e-4) as both terms.
 *
 * Why this is enough and not loose: inputs lie on a 1/16 grid; every discontinuous op (floor,
 * round, sign, comparisons, spike, integer casts, where conditions, Bernoulli p) and, in gradient
 * graphs, every kinked op (abs, maximum, minimum, max) gets operands computed exactly, so both
 * backends take the same branch; magnitudes are kept <= 8 by exact power-of-two scaling and the
 * transcendental ops get bounded, well-conditioned arguments (log(x² + 1), sin on [-3, 3], ...).
 * What remains is f32 rounding (2^-24 relative per op) in a different order, grown by at most a
 * few hundred-element sums and chains of ~10 ops with bounded derivatives: orders of magnitude
 * under 1e-4 (the nightly run reports the largest error seen, as a fraction of the tolerance).
 */
export const FUZZ_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-4 };

/** Errors of a set of compared outputs. */
export interface ErrorStats {
  outputs: number;
  elements: number;
  maxAbs: number;
  /** Largest |gpu - cpu| / |cpu| over elements with |cpu| >= 1 (below that the absolute error is the measure). */
  maxRel: number;
  /** Largest |gpu - cpu| / (atol + rtol |cpu|): the share of the tolerance used (a mismatch is > 1). */
  maxShare: number;
}

export function emptyStats(): ErrorStats {
  return { outputs: 0, elements: 0, maxAbs: 0, maxRel: 0, maxShare: 0 };
}

export function mergeStats(into: ErrorStats, from: ErrorStats): void {
  into.outputs += from.outputs;
  into.elements += from.elements;
  into.maxAbs = Math.max(into.maxAbs, from.maxAbs);
  into.maxRel = Math.max(into.maxRel, from.maxRel);
  into.maxShare = Math.max(into.maxShare, from.maxShare);
}

/**
 * Compares one output: adds its errors to `stats` and returns undefined, or returns what differs
 * (the first differing elements, from the parity suite's assertClose). A NaN in the reference is a
 * generator bug (every graph is finite by construction) and is reported as such.
 */
export function compareOutput(got: HostTensor, expected: HostTensor, tolerance: Tolerance, stats: ErrorStats): string | undefined {
  const g = toArray(got);
  const e = toArray(expected);
  const nan = e.findIndex((x) => !Number.isFinite(x));
  if (nan >= 0) return `the CPU reference is not finite at [${nan}] (${e[nan]}): the generator made an ill-defined graph`;
  try {
    assertClose(g, e, tolerance);
  } catch (error) {
    return (error as Error).message;
  }
  stats.outputs++;
  stats.elements += e.length;
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(g[i]! - e[i]!);
    stats.maxAbs = Math.max(stats.maxAbs, diff);
    if (Math.abs(e[i]!) >= 1) stats.maxRel = Math.max(stats.maxRel, diff / Math.abs(e[i]!));
    stats.maxShare = Math.max(stats.maxShare, diff / (tolerance.atol + tolerance.rtol * Math.abs(e[i]!)));
  }
  return undefined;
}
