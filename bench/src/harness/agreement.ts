/**
 * The agreement check that runs before any timing: an implementation that computes something
 * else must not be timed against spikeflow. A disagreement aborts the whole benchmark.
 */

/** max |actual - expected| / max |expected|: the error relative to the tensor's scale. */
export function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  // NaN anywhere makes the error NaN, which fails the comparison below.
  return scale === 0 ? worst : worst / scale;
}

export class DisagreementError extends Error {
  override readonly name = 'DisagreementError';
}

/** Each named error must be within `tolerance`; otherwise the benchmark stops here. */
export function expectAgreement(what: string, errors: Readonly<Record<string, number>>, tolerance: number): void {
  const bad = Object.entries(errors).filter(([, e]) => !(e <= tolerance));
  if (bad.length > 0) {
    throw new DisagreementError(
      `${what} disagrees with spikeflow (tolerance ${tolerance}): ${bad.map(([name, e]) => `${name} ${e.toExponential(2)}`).join(', ')}. ` +
        'The benchmark is aborted: timing two implementations that compute different things means nothing.',
    );
  }
}
