import { fail } from '@spikeflow/core';
import type { DiscreteSpace } from './environment.js';

/** Rejects an action outside the space and a step taken before `reset` or after the episode ended. */
export function checkStep(env: string, action: number, space: DiscreteSpace, running: boolean): void {
  if (!Number.isInteger(action) || action < 0 || action >= space.n) fail('attr', `${env}.step`, 'the action is outside the action space', `an integer in [0, ${space.n})`, String(action));
  if (!running) fail('interface', `${env}.step`, 'the episode has ended or was never started; call reset(seed) first');
}
