import { fail } from '@spikeflow/core';

/** Checks a task option at the boundary, so a bad value fails naming its field, not deep inside a loop. */
export function checkInt(where: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    fail('spec', where, 'must be an integer in range', `an integer in [${min}, ${max}]`, String(value));
  }
  return value;
}

/** A probability, or a fraction, in [min, max] (default [0, 1]). */
export function checkUnit(where: string, value: number, min = 0, max = 1): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    fail('spec', where, 'must be a number in range', `a number in [${min}, ${max}]`, String(value));
  }
  return value;
}

export function checkFinite(where: string, value: number): number {
  if (!Number.isFinite(value)) fail('spec', where, 'must be a finite number', 'a finite number', String(value));
  return value;
}

export type Scale = 'ci' | 'paper';

/** `defaults` with the caller's fields over them; a field given as undefined keeps its default. */
export function withDefaults<O extends object>(defaults: O, options: Partial<O>): O {
  const own = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...defaults, ...own } as O;
}

/**
 * The options of a task with presets: the preset named by `scale` (default 'ci', small enough
 * for a test), then the caller's own fields over it.
 */
export function withScale<O extends object>(presets: Record<Scale, O>, options: Partial<O> & { scale?: Scale }): O {
  const { scale = 'ci', ...rest } = options;
  if (!(scale in presets)) fail('spec', 'scale', 'unknown scale', Object.keys(presets).join(', '), String(scale));
  return withDefaults(presets[scale], rest as Partial<O>);
}
