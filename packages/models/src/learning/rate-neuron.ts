import { z } from 'zod';
import { defineNeuron } from '../neurons/define-neuron.js';

/**
 * The leaky rate unit of RFLO (Murray 2019, eLife 8:e43299):
 *   r_t = (1 − α) r_{t−1} + α tanh(u_t),   u_t = I_t (the network's W_in x_t + W_rec r_{t−1}),
 * α = δt/τ; the output is the rate r_t itself. Its one-step Jacobian is D = 1 − α (a number) and
 * c = ∂r_t/∂u_t = α tanh′(u_t), the factor of RFLO's trace.
 */
export const rateNeuron = defineNeuron({
  kind: 'rate',
  attrs: {
    alpha: z.number().gt(0).lte(1).default(0.5),
  },
  state: { r: { init: 0 } },
  step: ({ state, input, attrs: { alpha } }) => {
    const r = state.r.mul(1 - alpha).add(input.tanh().mul(alpha));
    return { state: { r }, output: r };
  },
});
