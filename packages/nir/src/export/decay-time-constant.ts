import { fail } from '@spikeflow/core';

/**
 * NIR's τ for a leak that keeps α of v per step (v ← α·v + (1 − α)·x): dt/(1 − α), the time
 * constant whose forward-Euler step is that same update. Stored in f64, it carries enough digits
 * that the import's `decay` arithmetic (1 − dt/τ and dt/τ in f64, each rounded to f32) yields the
 * f32 constants spikeflow computes (α and 1 − α rounded to f32); that is checked, naming `field`.
 */
export function decayTimeConstant(alpha: number, dt: number, field: string): number {
  const tau = dt / (1 - alpha);
  const f = Math.fround;
  if (f(1 - dt / tau) !== f(alpha) || f(dt / tau) !== f(1 - alpha)) {
    fail('spec', field, 'cannot export to NIR bit for bit: no f64 time constant reproduces this decay’s f32 constants at this dt', `α = ${f(alpha)}`, `${f(1 - dt / tau)}`);
  }
  return tau;
}
