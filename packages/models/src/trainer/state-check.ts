import { fail, type HostTensor, type StepRunner } from '@spikeflow/core';
import { coordinatesOf, countNonFinite, firstNonFinite } from './finite.js';

/**
 * Checks of the trained params (and their optimizer slots) for NaN and infinities. A spiking model
 * hides them: a NaN membrane never crosses the threshold, so the loss stays finite while every
 * param turns NaN. The check counts on the device when the backend can (one small reduction, only
 * the counts read back), else reads the state and counts on the host.
 */

/** How many non-finite values each named state holds. */
export async function nonFiniteCounts(runner: StepRunner, names: readonly string[]): Promise<Record<string, number>> {
  if (runner.countNonFinite !== undefined) return runner.countNonFinite(names);
  const values = await runner.readState(names);
  return Object.fromEntries(names.map((name) => [name, countNonFinite(values[name]!.data)]));
}

/** A place in the run, for messages: the step counts optimizer steps from 1, the epoch epochs from 1. */
export interface RunPoint {
  readonly step: number;
  readonly epoch: number;
}

export const describePoint = ({ step, epoch }: RunPoint): string => `step ${step}, epoch ${epoch}`;

/**
 * Rejects with the first of `names` (in their order: params before their slots) holding a
 * non-finite value, found at `now`; `lastFinite` is the step of the last check that passed, so the
 * message brackets the step where the values broke.
 */
export async function expectFiniteState(runner: StepRunner, names: readonly string[], now: RunPoint, lastFinite: number): Promise<void> {
  const counts = await nonFiniteCounts(runner, names);
  const bad = names.find((name) => counts[name]! > 0);
  if (bad === undefined) return;
  const since = lastFinite === 0 ? 'since the start' : `since the check after step ${lastFinite}, which found every param finite`;
  fail('nan', bad, `training stopped: param '${bad}' turned non-finite by ${describePoint(now)} (${since}); lower the learning rate or check the data`, 'finite values', `${counts[bad]} NaN or infinite values`);
}

/** Rejects tensors (a checkpoint's) holding NaN or infinities, naming the first such tensor and its first bad element. */
export function expectFiniteTensors(tensors: Readonly<Record<string, HostTensor>>, reject: (name: string, found: string) => never): void {
  for (const [name, t] of Object.entries(tensors)) {
    const first = firstNonFinite(t.data);
    if (first >= 0) reject(name, `${countNonFinite(t.data)} of ${t.data.length} values NaN or infinite, the first ${t.data[first]} at ${coordinatesOf(t.type.shape, first)}`);
  }
}
