import type { GraphBuilder, Tensor } from '@spikeflow/core';
import { materialize } from './eligibility.js';
import { entryTensor, isZeroEntry, scaleBy, sumTerms } from './jacobian-entry.js';
import type { OnlineNetwork } from './network.js';
import { onlineUpdates } from './online-updates.js';
import type { SynapseEligibility, EligibilityRule, Feedback, LearningRule, TraceLayout, TraceStepContext, TraceStepResult, UpdateSource } from './rule.js';

/**
 * e-prop (Bellec et al. 2020, Nat. Commun. 11:3625) for any neuron made with `defineNeuron`; the
 * equations as implemented are in docs/learning/eprop.md. For synapse j → i, the eligibility
 * vector ε (one entry per state variable) follows the neuron's own one-step Jacobian,
 *   ε_t = D_t ε_{t−1} + c_t x_{t,j},   e_t = g_t · ε_{t−1} + h_t x_{t,j}   (= ∂z_t/∂W_ji through neuron i only),
 * and the readout's filter κ moves onto it: ē_t = κ ē_{t−1} + (1 − κ) e_t. The update is
 * Σ_t Σ_b ē_t L_t with L_t = δ_t Bᵀ.
 */

export interface EpropOptions {
  /** Symmetric (B = W_out, default) or fixed random feedback. */
  readonly feedback?: Feedback;
  /**
   * Derive the Jacobian with the neuron's reset detached (`detachReset: true`, as the paper
   * does), where the neuron has that attr. Default true.
   */
  readonly detachReset?: boolean;
}

/** When D and c are numbers, ε_ij = P_j: k presynaptic traces [B, N_pre]; otherwise k full ones. */
function initialTraces(b: GraphBuilder, layout: TraceLayout): Tensor[] {
  const { batch, pre, post, states, uniform, readoutDecay } = layout;
  const eps = states.map(() => b.constant(0, uniform ? [batch, pre] : [batch, pre, post]));
  return readoutDecay > 0 ? [...eps, b.constant(0, [batch, pre, post])] : eps;
}

/** Factorised step: P'_a = Σ_c D_ac P_c + c_a x;  e = Σ_c g_c ⊗ P_c + h ⊗ x. */
function presynapticStep(ctx: TraceStepContext, eps: readonly Tensor[]): { eps: Tensor[]; e: SynapseEligibility } {
  const { b, layout, pre, jacobian: J } = ctx;
  const post = [layout.batch, layout.post];
  const next = J.states.map((_, a) =>
    sumTerms(
      [...J.stateToState[a]!.map((d, c) => (isZeroEntry(d) ? undefined : scaleBy(d, eps[c]!))), isZeroEntry(J.inputToState[a]!) ? undefined : scaleBy(J.inputToState[a]!, pre)],
      () => b.constant(0, pre.shape),
    ),
  );
  const terms = [
    ...J.stateToSpike.flatMap((g, c) => (isZeroEntry(g) ? [] : [{ pre: eps[c]!, post: entryTensor(b, g, post) }])),
    ...(isZeroEntry(J.inputToSpike) ? [] : [{ pre, post: entryTensor(b, J.inputToSpike, post) }]),
  ];
  const e: SynapseEligibility = terms.length > 0 ? { kind: 'outer', terms } : { kind: 'full', value: b.constant(0, [layout.batch, layout.pre, layout.post]) };
  return { eps: next, e };
}

/** General step on ε [B, N_pre, N_post] per state variable, with per-neuron Jacobian entries. */
function fullStep(ctx: TraceStepContext, eps: readonly Tensor[]): { eps: Tensor[]; e: SynapseEligibility } {
  const { b, layout, pre, jacobian: J } = ctx;
  const full = [layout.batch, layout.pre, layout.post];
  const perPost = [layout.batch, 1, layout.post];
  const pre3 = pre.reshape([layout.batch, layout.pre, 1]);
  const zero = () => b.constant(0, full);
  const spread = (t: Tensor) => (t.shape.length === 3 && t.shape[2] === layout.post && t.shape[1] === layout.pre ? t : t.broadcastTo(full));
  const next = J.states.map((_, a) =>
    spread(
      sumTerms(
        [...J.stateToState[a]!.map((d, c) => (isZeroEntry(d) ? undefined : scaleBy(d, eps[c]!, perPost))), isZeroEntry(J.inputToState[a]!) ? undefined : scaleBy(J.inputToState[a]!, pre3, perPost)],
        zero,
      ),
    ),
  );
  const value = spread(
    sumTerms([...J.stateToSpike.map((g, c) => (isZeroEntry(g) ? undefined : scaleBy(g, eps[c]!, perPost))), isZeroEntry(J.inputToSpike) ? undefined : scaleBy(J.inputToSpike, pre3, perPost)], zero),
  );
  return { eps: next, e: { kind: 'full', value } };
}

export const epropEligibility: EligibilityRule = {
  initialTraces,
  step(ctx): TraceStepResult {
    const { layout, traces } = ctx;
    const k = layout.states.length;
    const eps = traces.slice(0, k);
    const { eps: next, e } = layout.uniform ? presynapticStep(ctx, eps) : fullStep(ctx, eps);
    const kappa = layout.readoutDecay;
    if (kappa === 0) return { traces: next, eligibility: e };
    const filtered = traces[k]!.mul(kappa).add(materialize(e).mul(1 - kappa));
    return { traces: [...next, filtered], eligibility: { kind: 'full', value: filtered }, localEligibility: e };
  },
};

/** The e-prop rule (unbound); `eprop(network)` binds it to a network for `trainingGraph`. */
export function epropRule(options: EpropOptions = {}): LearningRule {
  const feedback = options.feedback ?? { kind: 'symmetric' };
  return {
    name: feedback.kind === 'symmetric' ? 'eprop' : 'eprop_random',
    eligibility: epropEligibility,
    feedback,
    jacobianAttrs: options.detachReset === false ? {} : { detachReset: true },
  };
}

/** e-prop for `network`: pass as `rule` to `trainingGraph` or the `Trainer` (with `network.model`). */
export function eprop(network: OnlineNetwork, options: EpropOptions = {}): UpdateSource {
  return onlineUpdates(network, epropRule(options));
}
