import { type GraphBuilder, type Tensor } from '@spikeflow/core';
import { traceDecays, type StdpRule } from './rule.js';

/**
 * One step of an STDP rule on one synapse group W [N_pre, N_post] (current = pre @ W), traced into
 * the scan body: the traces and W in, the traces and W after this step's spikes out. With a batch
 * B > 1 the batch shares W and the updates are summed over it (outer products as pre^T @ post).
 *
 * Order within a step (a coincident pre/post pair potentiates and does not depress):
 *   1. every trace decays: x ← x·exp(−dt/τ);
 *   2. the presynaptic trace takes this step's pre spikes;
 *   3. Δ⁺ = η_post · x_preᵀ ⊗ (s_post ⊙ x_post2)   (pair-based: s_post alone)
 *      Δ⁻ = η_pre · s_preᵀ ⊗ x_post                 (x_post before this step's post spikes)
 *   4. additive: W ← clip(W + Δ⁺ − Δ⁻, 0, w_max);
 *      multiplicative: W ← clip(W + Δ⁺·(w_max − W)^μ − Δ⁻·W^μ, 0, w_max);
 *   5. the postsynaptic traces take this step's post spikes.
 */

/** The traces of one synapse group: x_pre [B, N_pre], x_post and (triplet) x_post2 [B, N_post]. */
export interface StdpTraces {
  readonly pre: Tensor;
  readonly post: Tensor;
  readonly post2?: Tensor;
}

/** Zero traces for a group of `pre` → `post` neurons with batch `batch`. */
export function initialStdpTraces(b: GraphBuilder, rule: StdpRule, batch: number, pre: number, post: number): StdpTraces {
  return {
    pre: b.constant(0, [batch, pre]),
    post: b.constant(0, [batch, post]),
    ...(rule.tauPost2 === null ? {} : { post2: b.constant(0, [batch, post]) }),
  };
}

/** The traces as a flat list of scan carries (pre, post, then post2 when the rule is triplet). */
export function stdpTraceCarries(traces: StdpTraces): Tensor[] {
  return [traces.pre, traces.post, ...(traces.post2 ? [traces.post2] : [])];
}

/** The inverse of `stdpTraceCarries`; returns the traces and how many carries they took. */
export function readStdpTraceCarries(rule: StdpRule, carries: readonly Tensor[]): { traces: StdpTraces; count: number } {
  const triplet = rule.tauPost2 !== null;
  return { traces: { pre: carries[0]!, post: carries[1]!, ...(triplet ? { post2: carries[2]! } : {}) }, count: triplet ? 3 : 2 };
}

/** A spike's effect on its (already decayed) trace. */
function takeSpikes(rule: StdpRule, decayed: Tensor, spikes: Tensor): Tensor {
  // 'set': x ← 1 where s = 1, i.e. x + s·(1 − x) for s in {0, 1}.
  return rule.traceUpdate === 'set' ? decayed.add(spikes.mul(decayed.neg().add(1))) : decayed.add(spikes);
}

export interface StdpStepResult {
  readonly w: Tensor;
  readonly traces: StdpTraces;
}

/** One step of `rule`; pre [B, N_pre] and post [B, N_post] are this step's spikes (0/1). */
export function stdpStep(b: GraphBuilder, rule: StdpRule, w: Tensor, traces: StdpTraces, pre: Tensor, post: Tensor): StdpStepResult {
  return b.scope('stdp', () => {
    const decay = traceDecays(rule);
    const xPre = takeSpikes(rule, traces.pre.mul(decay.pre), pre);
    const xPost = traces.post.mul(decay.post);
    const xPost2 = traces.post2 && decay.post2 !== null ? traces.post2.mul(decay.post2) : undefined;
    const potentiating = (xPost2 ? post.mul(xPost2) : post).mul(rule.etaPost);
    let up = xPre.matmul(potentiating, { transposeA: true });
    let down = pre.matmul(xPost.mul(rule.etaPre), { transposeA: true });
    if (rule.form === 'multiplicative') {
      up = up.mul(w.neg().add(rule.wMax).maximum(0).pow(rule.mu));
      down = down.mul(w.maximum(0).pow(rule.mu));
    }
    const next = w.add(up).sub(down).maximum(0).minimum(rule.wMax);
    return {
      w: next,
      traces: {
        pre: xPre,
        post: takeSpikes(rule, xPost, post),
        ...(xPost2 ? { post2: takeSpikes(rule, xPost2, post) } : {}),
      },
    };
  });
}

/**
 * Per-neuron normalisation: each column of W [N_pre, N_post] (one neuron's input weights) scaled
 * so that it sums to `total` (Diehl & Cook: 78 for 784 inputs). A column of zeros stays zero.
 */
export function normalizeInputWeights(w: Tensor, total: number): Tensor {
  const sums = w.sum(0, true);
  const safe = sums.maximum(1e-12);
  return w.mul(safe.reciprocal().mul(total));
}
