import { testRandom } from '../../../../test/support/test-data.js';

/**
 * n distinct values in (-1, 1), shuffled: the grid -1 + (2k + 1/2)/n. Neighbours are 2/n apart
 * and none lies within 1/(2n) of 0, so finite differences never cross a kink of abs, a tie of
 * maximum/minimum, or a change of argmax.
 */
export function distinctValues(n: number, seed = 1): number[] {
  const values = Array.from({ length: n }, (_, k) => -1 + (2 * k + 0.5) / n);
  const rand = testRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}
