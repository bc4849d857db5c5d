import { z } from 'zod';
import { defineNeuron } from './define-neuron.js';

/**
 * The non-spiking leaky integrator readout (NIR's LI; the LSNN's output filter):
 * v_{t+1} = alpha·v_t + (1 - alpha)·I_t with alpha = exp(-dt/tau); step t outputs v_{t+1}.
 */
export const leakyIntegratorNeuron = defineNeuron({
  kind: 'li',
  attrs: {
    dt: z.number().positive().default(1),
    tau: z.number().positive().default(20),
  },
  state: { v: { init: 0 } },
  params: (p) => ({ alpha: Math.exp(-p.dt / p.tau) }),
  step: ({ state, input, params: { alpha } }) => {
    const v = state.v.mul(alpha).add(input.mul(1 - alpha));
    return { state: { v }, output: v };
  },
});

export type LeakyIntegratorSpec = ReturnType<typeof leakyIntegratorNeuron.layer>;

export const leakyIntegrator = leakyIntegratorNeuron.layer;
