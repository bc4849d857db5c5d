import { fail, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { entryTensor, isZeroEntry, scaleBy, sumTerms } from './jacobian-entry.js';
import type { OnlineNetwork } from './network.js';
import { onlineUpdates } from './online-updates.js';
import type { EligibilityRule, Feedback, LearningRule, TraceLayout, TraceStepContext, TraceStepResult, UpdateSource } from './rule.js';

/**
 * RFLO, random-feedback local online learning (Murray 2019, eLife 8:e43299), for a network of
 * rate units whose output is their one state (`rateNeuron`: r_t = (1 − α) r_{t−1} + α φ(u_t)).
 * Per synapse j → i a trace, the sensitivity of r_i to W_ji through neuron i's own leak only,
 *   p_t = (1 − α) p_{t−1} + α φ′(u_{t,i}) pre_{t,j}      (pre = x_t, or r_{t−1} for W_rec),
 * written with the neuron's Jacobian as p_t = D_t p_{t−1} + c_t pre_t; it meets the learning
 * signal L_t = δ_t Bᵀ (B fixed random by default), so ΔW_ji ∝ −Σ_t Σ_b L_{t,i} p_{t,ji}. What it
 * drops from the exact sensitivity is α φ′(u_{t,i}) Σ_k W_ki ∂r_{t−1,k}/∂W_ji, the path through
 * the other neurons (docs/learning/rflo.md).
 */

export interface RfloOptions {
  /** Fixed random (default, seed 1) or symmetric (B = W_out) feedback. */
  readonly feedback?: Feedback;
}

function initialTraces(b: GraphBuilder, layout: TraceLayout): Tensor[] {
  if (layout.states.length !== 1) fail('spec', 'rflo.neuron', 'RFLO needs a rate neuron with one state variable, read out directly', '1 state variable', `${layout.states.length} (${layout.states.join(', ')})`);
  if (layout.readoutDecay !== 0) fail('spec', 'onlineNetwork.readoutDecay', "RFLO's readout y_t = W_out r_t has no leak", '0', String(layout.readoutDecay));
  return [b.constant(0, [layout.batch, layout.pre, layout.post])];
}

/**
 * p_t = D p_{t−1} + c ⊗ pre, [B, N_pre, N_post]: c varies per neuron and step, so p does not
 * factorise. Without leak (α = 1, D = 0) p_t = c_t ⊗ pre_t is a rank-one product per batch
 * element, kept unmaterialised (the carried trace then stays zero).
 */
function step({ b, layout, pre, jacobian: J, traces }: TraceStepContext): TraceStepResult {
  const leak = J.stateToState[0]![0]!;
  const c = J.inputToState[0]!;
  if (isZeroEntry(leak)) return { traces, eligibility: { kind: 'outer', terms: [{ pre, post: entryTensor(b, c, [layout.batch, layout.post]) }] } };
  const full = [layout.batch, layout.pre, layout.post];
  const perPost = [layout.batch, 1, layout.post];
  const p = sumTerms([scaleBy(leak, traces[0]!, perPost), isZeroEntry(c) ? undefined : scaleBy(c, pre.reshape([layout.batch, layout.pre, 1]), perPost)], () => b.constant(0, full));
  return { traces: [p], eligibility: { kind: 'full', value: p } };
}

export const rfloEligibility: EligibilityRule = { initialTraces, step };

/** The RFLO rule (unbound); `rflo(network)` binds it to a network for `trainingGraph`. */
export function rfloRule(options: RfloOptions = {}): LearningRule {
  const feedback = options.feedback ?? { kind: 'random', seed: 1 };
  return { name: feedback.kind === 'random' ? 'rflo' : 'rflo_symmetric', eligibility: rfloEligibility, feedback };
}

/** RFLO for `network` (made with `rateNeuron`): pass as `rule` to `trainingGraph` or the `Trainer`. */
export function rflo(network: OnlineNetwork, options: RfloOptions = {}): UpdateSource {
  return onlineUpdates(network, rfloRule(options));
}
