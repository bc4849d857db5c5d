import { z } from 'zod';
import type { Tensor } from '@spikeflow/core';
import { defineNeuron } from './define-neuron.js';

/**
 * The differentiable spiking neuron of Huh & Sejnowski (NeurIPS 2018, "Gradient descent for
 * spiking neural networks", section 2): a quadratic integrate-and-fire (QIF) membrane whose reset
 * is smooth, and a synapse gated by the membrane instead of triggered by a threshold.
 *
 * Membrane. The QIF τ_v dV/dt = V² + I fires when V reaches +∞ and restarts from −∞. With
 * V = tan(πv) the same dynamics live on a circle, v ∈ [−1/2, 1/2), and the jump from +∞ to −∞
 * becomes v passing 1/2 and reappearing at −1/2, where the vector field is the same (it is
 * 1-periodic in v), so the reset is smooth:
 *   τ_v dv/dt = [(1 − cos 2πv) + (1 + cos 2πv)·I] / 2π.
 * Synapse. τ_s ds/dt = −s + g(v)·dv/dt, with the gate g non-zero only in an active zone of width Δ
 * around the spike point v = 1/2 (mod 1), smooth, bounded and of unit integral:
 *   g(v) = (1 + cos(π·clip(2d/Δ, −1, 1)))/Δ,  d = v − 1/2 wrapped to [−1/2, 1/2],
 * so a neuron that sweeps through the zone puts the same charge ∫s dt = 1 into its synapse however
 * fast it goes, and one that enters the zone but turns back puts in a graded amount.
 * Discretised by forward Euler in steps of dt (the state at t gives the rates):
 *   v̇_t = [(1 − cos 2πv_t) + (1 + cos 2πv_t)·I_t] / (2π τ_v),
 *   s_{t+1} = s_t + (dt/τ_s)(−s_t + g(v_t)·v̇_t),  v_{t+1} = wrap(v_t + dt·v̇_t),
 * and the step emits s_{t+1} (what the synapses, recurrent and readout, carry). `wrap` subtracts
 * round(v); every function of v above is 1-periodic, so it changes no value and its gradient is 1.
 * No surrogate anywhere: autodiff's gradient is the exact gradient of this discrete model.
 * Times in units of dt (defaults: dt = 1, τ_v = 5, τ_s = 10, Δ = 0.2: about πτ_vΔ ≈ 3 steps in the zone).
 */
export const gatedQifNeuron = defineNeuron({
  kind: 'gatedQif',
  attrs: {
    dt: z.number().positive().default(1),
    tauV: z.number().positive().default(5),
    tauS: z.number().positive().default(10),
    /** Δ, the width of the gate's active zone in v (a full cycle of v is 1). */
    gateWidth: z.number().gt(0).max(1).default(0.2),
    /** v at t = 0: −1/4 is V = −1 (the QIF's rest under I = −1). */
    v0: z.number().min(-0.5).max(0.5).default(-0.25),
  },
  state: (a) => ({ v: { init: a.v0 }, s: { init: 0 } }),
  step: ({ state: { v, s }, input, attrs: { dt, tauV, tauS, gateWidth } }) => {
    const vDot = qifPhaseVelocity(v, input, tauV);
    const sNext = s.add(smoothGate(v, gateWidth).mul(vDot).sub(s).mul(dt / tauS));
    const vNext = wrapPhase(v.add(vDot.mul(dt)));
    return { state: { v: vNext, s: sNext }, output: sNext };
  },
});

/** dv/dt of the QIF on the circle, [(1 − cos 2πv) + (1 + cos 2πv)·I] / (2π τ_v). */
export function qifPhaseVelocity(v: Tensor, current: Tensor, tauV: number): Tensor {
  const c = v.mul(2 * Math.PI).cos();
  return c.neg().add(1).add(c.add(1).mul(current)).div(2 * Math.PI * tauV);
}

/** The gate g(v): a raised cosine of width Δ and unit integral around v = 1/2 (mod 1), zero elsewhere. */
export function smoothGate(v: Tensor, width: number): Tensor {
  const d = wrapPhase(v.sub(0.5));
  return d.mul(2 / width).maximum(-1).minimum(1).mul(Math.PI).cos().add(1).div(width);
}

/** v − round(v), in [−1/2, 1/2]: the same point of the circle, with gradient 1. */
export function wrapPhase(v: Tensor): Tensor {
  return v.sub(v.round());
}

export type GatedQifSpec = ReturnType<typeof gatedQifNeuron.layer>;

/** The gated-QIF layer spec, e.g. `gatedQif({ tauS: 20 })`. */
export const gatedQif = gatedQifNeuron.layer;
