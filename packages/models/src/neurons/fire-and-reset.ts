import { z } from 'zod';
import { SURROGATE_NAMES, type SurrogateChoice, type SurrogateName, type Tensor } from '@spikeflow/core';

/**
 * Firing and reset shared by SpikingJelly's IF, LIF and PLIF: S = spike(H - V_th), then a hard
 * reset V = H(1 - S) + V_reset*S, or a soft one V = H - V_th*S when vReset is null.
 */

/** The spec attrs of firing and reset, with SpikingJelly's defaults (V_th = 1, V_reset = 0). */
export const fireAndResetAttrs = {
  vThreshold: z.number().finite().default(1),
  /** null selects the soft (subtractive) reset. */
  vReset: z.number().finite().nullable().default(0),
  /** Stops the gradient through S in the reset (SpikingJelly's detach_reset). */
  detachReset: z.boolean().default(false),
  surrogate: z.enum(SURROGATE_NAMES as [SurrogateName, ...SurrogateName[]]).default('atan'),
  /** The surrogate's parameter (a, k or gamma); the family's default when absent. */
  alpha: z.number().positive().optional(),
};

export interface FireAndReset {
  readonly vThreshold: number;
  readonly vReset: number | null;
  readonly detachReset: boolean;
  readonly surrogate: SurrogateName;
  readonly alpha?: number;
}

export function surrogateOf(attrs: FireAndReset): SurrogateChoice {
  return { kind: attrs.surrogate, alpha: attrs.alpha };
}

/** The membrane starts at V_reset (0 for the soft reset). */
export function restingPotential(attrs: FireAndReset): number {
  return attrs.vReset ?? 0;
}

/** Fires on the charged membrane h and resets it; returns the new membrane and the spikes. */
export function fireAndReset(h: Tensor, attrs: FireAndReset, spike: (x: Tensor) => Tensor): { v: Tensor; s: Tensor } {
  const s = spike(h.sub(attrs.vThreshold));
  const sr = attrs.detachReset ? s.stopGradient() : s;
  if (attrs.vReset === null) return { v: h.sub(sr.mul(attrs.vThreshold)), s };
  const kept = h.mul(sr.neg().add(1));
  return { v: attrs.vReset === 0 ? kept : kept.add(sr.mul(attrs.vReset)), s };
}
