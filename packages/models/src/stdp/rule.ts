import { z } from 'zod';
import { checkSpec } from '../spec/validate-spec.js';

/**
 * Trace-based STDP as data: time constants, amplitudes, the weight dependence and bounds. A rule
 * value is applied to a synapse group by `stdpStep` (synapse.ts) inside the scan that runs the
 * network, so traces and weights are carries and nothing goes through a gradient graph.
 *
 * Pair-based: Δw_ij = +η_post·x_pre,i at a spike of post j, −η_pre·x_post,j at a spike of pre i.
 * Triplet (Pfister & Gerstner 2006, as Diehl & Cook 2015 use it): potentiation is further
 * multiplied by the slow postsynaptic trace x_post2,j read just before post j's spike.
 */

/** How Δw depends on w: additive (then clipped to [0, w_max]) or multiplicative with exponent μ. */
export const STDP_FORMS = ['additive', 'multiplicative'] as const;
export type StdpForm = (typeof STDP_FORMS)[number];

/** What a spike does to its trace: 'set' x ← 1 (nearest-spike, Diehl & Cook), 'add' x ← x + 1 (all-to-all). */
export const STDP_TRACE_UPDATES = ['set', 'add'] as const;
export type StdpTraceUpdate = (typeof STDP_TRACE_UPDATES)[number];

const positive = (what: string) => z.number().gt(0, `${what} must be positive`).finite();

export const stdpSchema = z.strictObject({
  /** The time step of the scan, in ms. */
  dt: positive('dt').default(1),
  /** Time constant of the presynaptic trace x_pre (ms). */
  tauPre: positive('tauPre').default(20),
  /** Time constant of the postsynaptic trace x_post that depression reads (ms). */
  tauPost: positive('tauPost').default(20),
  /** Time constant of the slow postsynaptic trace x_post2 of the triplet term (ms); null: pair-based. */
  tauPost2: positive('tauPost2').nullable().default(40),
  /** Depression amplitude, at a presynaptic spike. */
  etaPre: z.number().gte(0).finite().default(1e-4),
  /** Potentiation amplitude, at a postsynaptic spike. */
  etaPost: z.number().gte(0).finite().default(1e-2),
  /** Upper weight bound; the lower one is 0. */
  wMax: positive('wMax').default(1),
  form: z.enum(STDP_FORMS).default('additive'),
  /** Exponent μ of the multiplicative form: Δ⁺·(w_max − w)^μ, Δ⁻·w^μ. */
  mu: positive('mu').default(1),
  traceUpdate: z.enum(STDP_TRACE_UPDATES).default('set'),
});

export type StdpRule = Readonly<z.output<typeof stdpSchema>>;

/**
 * A rule with defaults: Diehl & Cook 2015's (their published code): triplet, additive with
 * clipping to [0, 1], τ_pre = τ_post = 20 ms, τ_post2 = 40 ms, η_pre = 1e−4, η_post = 1e−2,
 * traces set to 1 at a spike, dt = 1 ms. Unknown fields are rejected by name.
 */
export function stdpRule(options: Partial<StdpRule> = {}): StdpRule {
  return checkSpec(stdpSchema, options, 'stdp');
}

/** The per-step decay factors exp(−dt/τ) of the rule's traces. */
export function traceDecays(rule: StdpRule): { readonly pre: number; readonly post: number; readonly post2: number | null } {
  return {
    pre: Math.exp(-rule.dt / rule.tauPre),
    post: Math.exp(-rule.dt / rule.tauPost),
    post2: rule.tauPost2 === null ? null : Math.exp(-rule.dt / rule.tauPost2),
  };
}
