import type { Tensor } from '@spikeflow/core';
import type { SynapseEligibility } from './rule.js';

/** Reductions of an eligibility e[b, j, i] (see rule.ts); an `outer` one is never materialised by them. */

/** Σ_b e[b, j, i] · signal[b, i]: the step's update of W[j, i], [N_pre, N_post]. */
export function contractWithSignal(e: SynapseEligibility, signal: Tensor): Tensor {
  if (e.kind === 'full') {
    const [batch, post] = signal.shape as [number, number];
    return e.value.mul(signal.reshape([batch, 1, post])).sum(0);
  }
  return sumAll(e.terms.map(({ pre, post }) => pre.transpose().matmul(post.mul(signal))));
}

/** Σ_b e[b, j, i], [N_pre, N_post]. */
export function sumOverBatch(e: SynapseEligibility): Tensor {
  if (e.kind === 'full') return e.value.sum(0);
  return sumAll(e.terms.map(({ pre, post }) => pre.transpose().matmul(post)));
}

/** e as the tensor [B, N_pre, N_post]. */
export function materialize(e: SynapseEligibility): Tensor {
  if (e.kind === 'full') return e.value;
  return sumAll(
    e.terms.map(({ pre, post }) => {
      const [batch, nPre] = pre.shape as [number, number];
      const nPost = post.shape[1]!;
      return pre.reshape([batch, nPre, 1]).mul(post.reshape([batch, 1, nPost]));
    }),
  );
}

function sumAll(terms: readonly Tensor[]): Tensor {
  if (terms.length === 0) throw new Error('internal: an eligibility needs at least one term');
  return terms.slice(1).reduce((acc, t) => acc.add(t), terms[0]!);
}
