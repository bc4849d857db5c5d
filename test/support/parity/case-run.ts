import { sizeOf, tensor, toArray, nodeAs, type HostTensor } from '@spikeflow/core';
import { testRandom } from '../test-data.js';
import type { GraphCase } from './cases.js';

/** The case's random inputs (seeded): f32 uniform in its range, integer inputs rounded down. */
export function caseFeeds(c: GraphCase, seed: number): Record<string, HostTensor> {
  const rand = testRandom(seed);
  const feeds: Record<string, HostTensor> = {};
  for (const id of c.graph.inputs) {
    const a = nodeAs(c.graph, id, 'input').attrs;
    const [lo, hi] = c.ranges?.[a.name] ?? [-2, 2];
    const values = Array.from({ length: sizeOf(a.shape) }, () => {
      const v = lo + (hi - lo) * rand();
      return a.dtype === 'f32' ? v : Math.floor(v);
    });
    feeds[a.name] = tensor(a.shape, values, a.dtype);
  }
  return feeds;
}

export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  /** The largest element error over all outputs, in the backend's measure. */
  readonly maxError: number;
  readonly detail?: string;
}

/**
 * Compares every reference output with the backend's: `error(got, expected)` per element, failing
 * at the first one over `limit` (NaN counts as over). `backend` names the backend in the detail.
 */
export function compareCase(
  name: string,
  reference: Readonly<Record<string, HostTensor>>,
  got: Readonly<Record<string, HostTensor>>,
  error: (got: number, expected: number) => number,
  limit: number,
  backend: string,
): CaseResult {
  let maxError = 0;
  for (const [output, expected] of Object.entries(reference)) {
    const actual = got[output];
    if (actual === undefined) return { name, ok: false, maxError: Infinity, detail: `output ${output} missing` };
    const e = toArray(expected);
    const g = toArray(actual);
    for (let k = 0; k < e.length; k++) {
      const err = error(g[k]!, e[k]!);
      if (!(err <= maxError)) maxError = Number.isNaN(err) ? Infinity : err;
      if (!(err <= limit)) return { name, ok: false, maxError, detail: `${output}[${k}]: ${backend} ${g[k]} vs cpu ${e[k]}` };
    }
  }
  return { name, ok: true, maxError };
}
