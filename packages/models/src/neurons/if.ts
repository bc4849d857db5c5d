import { defineNeuron } from './define-neuron.js';
import { fireAndReset, fireAndResetAttrs, restingPotential, surrogateOf } from './fire-and-reset.js';

/** SpikingJelly's IF: integrate with no leak, H = V + X, then S = spike(H - V_th) and the hard or soft reset. */
export const ifNeuron = defineNeuron({
  kind: 'if',
  attrs: fireAndResetAttrs,
  state: (a) => ({ v: { init: restingPotential(a) } }),
  surrogate: surrogateOf,
  step: ({ state, input, attrs, spike }) => {
    const { v, s } = fireAndReset(state.v.add(input), attrs, spike);
    return { state: { v }, spike: s };
  },
});

export type IfSpec = ReturnType<typeof ifNeuron.layer>;

/** The IF layer spec (`if` is a keyword, hence the long name). */
export const integrateAndFire = ifNeuron.layer;
