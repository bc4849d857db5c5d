import { fail } from '@spikeflow/core';

/** Option checks shared by the encoders: one error naming the encoder's option. */

export function checkSteps(where: string, steps: number, least: number): void {
  if (!Number.isSafeInteger(steps) || steps < least) fail('attr', where, `the number of steps must be an integer >= ${least}`, `an integer >= ${least}`, String(steps));
}

export function checkRange(where: string, low: number, high: number): void {
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) fail('attr', where, 'the encoded range needs finite low < high', 'finite low < high', `low ${low}, high ${high}`);
}

export function checkPositive(where: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) fail('attr', where, 'must be a finite number > 0', 'a number > 0', String(value));
}
