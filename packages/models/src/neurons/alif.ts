import { z } from 'zod';
import { defineNeuron } from './define-neuron.js';

/**
 * ALIF of the LSNN (Bellec et al. 2018), the equations of docs/models/neurons.md ("ALIF") in
 * the reference code's (e-prop's) step order: from (v, a, z, r) after the last step and this
 * step's current I,
 *   v' = alpha·v + (1 - alpha)·I - z·b0,  a' = rho·a + (1 - rho)·z,
 *   A' = b0 + beta·a',  z' = spike((v' - A')/A')  (triangle surrogate, gamma = 0.3),
 * with alpha = exp(-dt/tauM), rho = exp(-dt/tauA); z' is emitted at the step of the input that
 * caused it. Refractoriness is the reference's counter r' = clip(r + nRef·z' - 1, 0, nRef), no spike
 * while r > 0: two spikes are at least nRef steps apart. beta = 0 gives the LSNN's LIF. Defaults
 * are the reference sMNIST setup (dt = 1 ms, tauM = 20 ms, tauA = 700 ms, beta = 1.8, b0 = 0.01,
 * a 5 ms refractory period).
 */
export const alifNeuron = defineNeuron({
  kind: 'alif',
  attrs: {
    dt: z.number().positive().default(1),
    tauM: z.number().positive().default(20),
    tauA: z.number().positive().default(700),
    beta: z.number().nonnegative().default(1.8),
    /** The baseline threshold b0, also the amount a spike subtracts. */
    b0: z.number().positive().default(0.01),
    /** Refractory period in steps: the least number of steps between two spikes. */
    nRef: z.number().int().nonnegative().default(5),
    /** The triangle surrogate's gamma (the LSNN's dampening factor). */
    gamma: z.number().positive().default(0.3),
    /** Stops the gradient through z in the reset term −z·b0 (as e-prop does; the values are unchanged). */
    detachReset: z.boolean().default(false),
  },
  state: { v: { init: 0 }, a: { init: 0 }, z: { init: 0 }, r: { init: 0 } },
  params: (p) => ({ alpha: Math.exp(-p.dt / p.tauM), rho: Math.exp(-p.dt / p.tauA) }),
  surrogate: (p) => ({ kind: 'triangle', alpha: p.gamma }),
  step: ({ b, state: { v, a, z, r }, input, params: { alpha, rho }, attrs: { b0, beta, nRef, detachReset }, spike }) => {
    const vNext = v.mul(alpha).add(input.mul(1 - alpha)).sub((detachReset ? z.stopGradient() : z).mul(b0));
    const aNext = a.mul(rho).add(z.mul(1 - rho));
    const threshold = aNext.mul(beta).add(b0);
    const zNext = b.where(r.greater(0), 0, spike(vNext.sub(threshold).div(threshold)));
    // The counter only gates firing; as in the reference, no gradient flows through it.
    const rNext = r.add(zNext.mul(nRef)).sub(1).maximum(0).minimum(nRef).stopGradient();
    return { state: { v: vNext, a: aNext, z: zNext, r: rNext }, spike: zNext };
  },
});

export type AlifSpec = ReturnType<typeof alifNeuron.layer>;

export const alif = alifNeuron.layer;
