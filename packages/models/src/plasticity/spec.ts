import { z } from 'zod';
import { checkSpec } from '../spec/validate-spec.js';

/**
 * What a plastic synapse learns within an episode, as data (Miconi et al. 2018; Backpropamine,
 * Miconi et al. 2019). Hebb is per-sample state, so the layers carry it through their scan and
 * start it at zero every call: every call is a fresh episode.
 */

/** The increment Δ: 'hebb' x_i·y_j; 'oja' y_j·(x_i − y_j·Hebb_ij); 'bcm' x_i·y_j·(y_j − θ_j). */
export const PLASTICITY_RULES = ['hebb', 'oja', 'bcm'] as const;
export type PlasticityRule = (typeof PLASTICITY_RULES)[number];

/**
 * How Δ enters Hebb: 'trace' (1 − η)·Hebb + η·Δ; 'clip' clip(Hebb + η·Δ, ±c); 'eligibility'
 * (retroactive) Hebb ← clip(Hebb + η·E, ±c), then E ← (1 − η_E)·E + η_E·Δ.
 */
export const PLASTICITY_UPDATES = ['trace', 'clip', 'eligibility'] as const;
export type PlasticityUpdate = (typeof PLASTICITY_UPDATES)[number];

/**
 * Where η comes from: a learned scalar, a fixed number, or the neuromodulator
 * M(t) = tanh(y_t·w_M + b_M), a learned output of the layer (one value per sample).
 */
export const ETA_SOURCES = ['learned', 'fixed', 'neuromodulated'] as const;
export type EtaSource = (typeof ETA_SOURCES)[number];

const unitInterval = (what: string) => z.number().gt(0, `${what} must be in (0, 1]`).lte(1, `${what} must be in (0, 1]`);

export const plasticitySchema = z.strictObject({
  rule: z.enum(PLASTICITY_RULES).default('hebb'),
  update: z.enum(PLASTICITY_UPDATES).default('trace'),
  eta: z.enum(ETA_SOURCES).default('learned'),
  /** η itself ('fixed') or its initial value ('learned'); unused when neuromodulated. */
  etaInit: z.number().finite().default(0.1),
  /** The bound c of 'clip' and 'eligibility'. */
  clip: z.number().gt(0, 'the clip bound must be positive').finite().default(1),
  /** η_E of the eligibility trace. */
  eligibilityRate: unitInterval('eligibilityRate').default(0.5),
  /** BCM: θ ← (1 − r)·θ + r·y², a running mean of y². */
  thetaRate: unitInterval('thetaRate').default(0.1),
  /**
   * null: the rule sees x and y themselves. A number λ in [0, 1): it sees their exponential traces
   * x̄ ← λ·x̄ + (1 − λ)·x, which spread coincidences of sparse spikes over time (SpikePropamine).
   */
  traceDecay: z.number().gte(0).lt(1, 'traceDecay must be in [0, 1)').nullable().default(null),
  /** α starts uniform in ±alphaInit (Miconi: 0.01); 0 starts it at exactly zero. */
  alphaInit: z.number().gte(0).finite().default(0.01),
});

export type PlasticitySpec = Readonly<z.output<typeof plasticitySchema>>;

/** A plasticity spec with defaults: a learned-η Hebbian trace (Miconi et al. 2018); unknown fields are rejected by name. */
export function plasticity(options: Partial<PlasticitySpec> = {}): PlasticitySpec {
  return checkSpec(plasticitySchema, options, 'plasticity');
}
