import { fail } from '@spikeflow/core';

/**
 * The p-th percentile (p in [0, 100]) of `values` by linear interpolation between order
 * statistics (numpy's default): with the values sorted ascending as v_0..v_{n-1}, the rank
 * r = p/100·(n − 1) and the result v_⌊r⌋ + (r − ⌊r⌋)·(v_⌊r⌋+1 − v_⌊r⌋). p = 100 is the maximum.
 */
export function percentile(values: ArrayLike<number>, p: number, where = 'percentile'): number {
  if (!(p >= 0 && p <= 100)) fail('attr', where, 'a percentile is a number in [0, 100]', '0 .. 100', String(p));
  if (values.length === 0) fail('feed', where, 'the percentile of no values is undefined', 'at least one value', 'none');
  const sorted = Float64Array.from(values).sort();
  if (Number.isNaN(sorted[sorted.length - 1]!)) fail('nan', where, 'the values hold NaN', 'finite values', 'NaN');
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (rank - lo) * (sorted[hi]! - sorted[lo]!);
}
