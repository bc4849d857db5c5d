import { fail } from '@spikeflow/core';

/**
 * A learning-rate schedule: a pure function from a 0-based count t (of epochs or of optimizer
 * steps, as the trainer is told) to the learning rate. Being pure, it needs no state of its own
 * in a checkpoint: the trainer's step and epoch counters determine it.
 */
export type Schedule = (t: number) => number;

/** Rejects a schedule parameter that is not a finite number in range, naming it. */
export function expectScheduleParam(where: string, value: number, ok: (v: number) => boolean, expected: string): void {
  if (!Number.isFinite(value) || !ok(value)) fail('attr', where, 'schedule parameter out of range', expected, String(value));
}

/** Rejects a count t that is not a non-negative integer: a fractional step is a caller bug. */
export function expectCount(where: string, t: number): void {
  if (!Number.isInteger(t) || t < 0) fail('attr', where, 'a schedule is evaluated at a step or epoch count', 'an integer >= 0', String(t));
}

export function constantSchedule(lr: number): Schedule {
  expectScheduleParam('constantSchedule.lr', lr, (v) => v >= 0, 'a number >= 0');
  return (t) => {
    expectCount('constantSchedule', t);
    return lr;
  };
}
