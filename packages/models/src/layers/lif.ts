import { z } from 'zod';
import { SURROGATE_NAMES, type GraphBuilder, type LayerDefinition, type SurrogateName, type Tensor } from '@spikeflow/core';

/**
 * SpikingJelly's LIF (`decay_input`): H = V + (X - (V - V_reset))/tau, S = spike(H - V_th),
 * then a hard reset V = H(1 - S) + V_reset*S, or a soft one V = H - V_th*S when vReset is null.
 * Without decayInput: H = V - (V - V_reset)/tau + X. The time constant, threshold and reset rule
 * are explicit so that an NIR mapping needs no guessing.
 */
export interface LifSpec {
  readonly kind: 'lif';
  readonly tau: number;
  readonly vThreshold: number;
  /** null selects the soft (subtractive) reset. */
  readonly vReset: number | null;
  readonly decayInput: boolean;
  /** Stops the gradient through S in the reset (SpikingJelly's detach_reset). */
  readonly detachReset: boolean;
  readonly surrogate: SurrogateName;
  readonly alpha?: number;
}

const schema = z.object({
  kind: z.literal('lif'),
  tau: z.number().gt(1, 'tau must exceed 1 (1/tau is the leak per step)').default(2),
  vThreshold: z.number().finite().default(1),
  vReset: z.number().finite().nullable().default(0),
  decayInput: z.boolean().default(true),
  detachReset: z.boolean().default(false),
  surrogate: z.enum(SURROGATE_NAMES as [SurrogateName, ...SurrogateName[]]).default('atan'),
  alpha: z.number().positive().optional(),
});

export function lif(options: Partial<Omit<LifSpec, 'kind'>> = {}): LifSpec {
  return schema.parse({ kind: 'lif', ...options }) as LifSpec;
}

/** One LIF step on membrane v and input x; returns the new membrane and the spikes. */
export function lifStep(v: Tensor, x: Tensor, spec: LifSpec): { v: Tensor; s: Tensor } {
  const reset = spec.vReset ?? 0;
  const h = spec.decayInput ? v.add(x.sub(v.sub(reset)).div(spec.tau)) : v.sub(v.sub(reset).div(spec.tau)).add(x);
  const s = h.sub(spec.vThreshold).spike({ kind: spec.surrogate, alpha: spec.alpha });
  const sr = spec.detachReset ? s.stopGradient() : s;
  if (spec.vReset === null) return { v: h.sub(sr.mul(spec.vThreshold)), s };
  const kept = h.mul(sr.neg().add(1));
  return { v: reset === 0 ? kept : kept.add(sr.mul(reset)), s };
}

/** Multi-step LIF over a time-major input `[T, ...]`; the membrane starts at V_reset each call. */
export function buildLif(b: GraphBuilder, x: Tensor, spec: LifSpec): Tensor {
  const v0 = b.constant(spec.vReset ?? 0, x.shape.slice(1));
  const { outputs } = b.scan({
    carries: [v0],
    sequences: [x],
    body: (_, [v], [xt]) => {
      const step = lifStep(v!, xt!, spec);
      return { carries: [step.v], outputs: [step.s] };
    },
  });
  return outputs[0]!;
}

export const lifLayer: LayerDefinition<LifSpec> = { schema: schema as z.ZodType<LifSpec>, build: buildLif };
