import { z } from 'zod';
import type { Tensor } from '@spikeflow/core';
import { defineNeuron } from '../neurons/define-neuron.js';

/**
 * eRBP's two-compartment integrate-and-fire neuron (Neftci et al. 2017, Front. Neurosci. 11:324),
 * in discrete time (dt = 1 step):
 *   soma      H_t = α U_{t−1} + I_t,   z_t = Θ(H_t − θ),   U_t = H_t − θ z_t   (subtractive reset)
 *   dendrite  V_t = β V_{t−1} + D_t
 * I_t = Σ_j W_ij s_j is the somatic current, D_t = Σ_k G_ik e_k the error projected through the
 * fixed random G. The dendrite never drives the soma: it only holds the learning signal.
 *
 * A `defineNeuron` step takes one input tensor, so the two currents arrive side by side on the last
 * axis, [..., 2N] = [I | D] (`twoCompartmentInput`); the state and the spikes are [..., N]. The
 * spike's surrogate (atan, a = 2) matters only when the same network is trained by gradients
 * (BPTT, FA, DFA); eRBP itself gates with the boxcar (`boxcar`).
 */
export const erbpNeuron = defineNeuron({
  kind: 'erbp_two_compartment',
  attrs: {
    /** α = 1 − 1/τ_U: the soma's leak per step. */
    somaDecay: z.number().min(0).lt(1).default(0.8),
    /** β = 1 − 1/τ_V: the dendrite's leak per step. */
    dendriteDecay: z.number().min(0).lt(1).default(0.8),
    threshold: z.number().positive().default(1),
  },
  state: { u: { init: 0 }, v: { init: 0 } },
  step: ({ state, input, attrs, spike }) => {
    const n = state.u.shape[state.u.rank - 1]!;
    const somatic = lastAxis(input, 0, n);
    const dendritic = lastAxis(input, n, 2 * n);
    const h = state.u.mul(attrs.somaDecay).add(somatic);
    const s = spike(h.sub(attrs.threshold));
    const u = h.sub(s.mul(attrs.threshold));
    const v = state.v.mul(attrs.dendriteDecay).add(dendritic);
    return { state: { u, v }, spike: s };
  },
});

export type ErbpNeuronSpec = ReturnType<typeof erbpNeuron.layer>;

function lastAxis(t: Tensor, from: number, to: number): Tensor {
  return t.slice(
    t.shape.map((_, axis) => (axis === t.rank - 1 ? from : 0)),
    t.shape.map((dim, axis) => (axis === t.rank - 1 ? to : dim)),
  );
}

/** The neuron's input: the somatic current I and the dendritic current D, both [..., N]. */
export function twoCompartmentInput(somatic: Tensor, dendritic: Tensor): Tensor {
  return somatic.builder.concat([somatic, dendritic], somatic.rank - 1);
}

/** The soma before its reset, H_t = U_t + θ z_t (the subtractive reset is undone exactly). */
export function chargedSoma(u: Tensor, spikes: Tensor, threshold: number): Tensor {
  return u.add(spikes.mul(threshold));
}

/** Θ(H) = 1 where b_min < H < b_max, else 0: the paper's boxcar stand-in for the derivative. */
export function boxcar(h: Tensor, bMin: number, bMax: number): Tensor {
  return h.greater(bMin).logicalAnd(h.less(bMax)).cast('f32');
}
