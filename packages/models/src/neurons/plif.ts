import { z } from 'zod';
import { defineNeuron, learnable } from './define-neuron.js';
import { fireAndReset, fireAndResetAttrs, restingPotential, surrogateOf } from './fire-and-reset.js';
import { leakyCharge } from './lif.js';

/**
 * SpikingJelly's PLIF (Fang et al. 2021): LIF whose leak 1/tau = sigmoid(w) is learned, one w
 * shared by the layer, initialised to -log(initTau - 1) so that the first tau is initTau.
 */
export const plifNeuron = defineNeuron({
  kind: 'plif',
  attrs: {
    initTau: z.number().gt(1, 'initTau must exceed 1 (w = -log(initTau - 1))').default(2),
    ...fireAndResetAttrs,
    decayInput: z.boolean().default(true),
  },
  state: (a) => ({ v: { init: restingPotential(a) } }),
  params: (a) => ({ w: learnable(-Math.log(a.initTau - 1)) }),
  surrogate: surrogateOf,
  step: ({ state, input, params, attrs, spike }) => {
    const k = params.w.sigmoid();
    const h = leakyCharge(state.v, input, restingPotential(attrs), attrs.decayInput, (t) => t.mul(k));
    const { v, s } = fireAndReset(h, attrs, spike);
    return { state: { v }, spike: s };
  },
});

export type PlifSpec = ReturnType<typeof plifNeuron.layer>;

export const plif = plifNeuron.layer;
