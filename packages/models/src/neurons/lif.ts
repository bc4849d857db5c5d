import { z } from 'zod';
import type { GraphBuilder, Tensor } from '@spikeflow/core';
import { defineNeuron } from './define-neuron.js';
import { fireAndReset, fireAndResetAttrs, restingPotential, surrogateOf } from './fire-and-reset.js';

/**
 * SpikingJelly's charge of a leaky membrane, given the leak as an op on (V - V_reset) or the
 * input: with decayInput H = V + (X - (V - V_reset))·k, else H = V - (V - V_reset)·k + X, where
 * k = 1/tau (LIF) or sigmoid(w) (PLIF).
 */
export function leakyCharge(v: Tensor, x: Tensor, vReset: number, decayInput: boolean, leak: (t: Tensor) => Tensor): Tensor {
  return decayInput ? v.add(leak(x.sub(v.sub(vReset)))) : v.sub(leak(v.sub(vReset))).add(x);
}

/**
 * SpikingJelly's LIF (`decay_input`): H = V + (X - (V - V_reset))/tau, S = spike(H - V_th), then
 * the hard or soft reset. tau is in steps (dt = 1), as in SpikingJelly; an NIR export multiplies
 * it by the simulation's dt.
 */
export const lifNeuron = defineNeuron({
  kind: 'lif',
  attrs: {
    tau: z.number().gt(1, 'tau must exceed 1 (1/tau is the leak per step)').default(2),
    ...fireAndResetAttrs,
    decayInput: z.boolean().default(true),
  },
  state: (a) => ({ v: { init: restingPotential(a) } }),
  surrogate: surrogateOf,
  step: ({ state, input, attrs, spike }) => {
    const h = leakyCharge(state.v, input, restingPotential(attrs), attrs.decayInput, (t) => t.div(attrs.tau));
    const { v, s } = fireAndReset(h, attrs, spike);
    return { state: { v }, spike: s };
  },
});

export type LifSpec = ReturnType<typeof lifNeuron.layer>;

/** The LIF layer spec, e.g. `lif({ tau: 2 })`. */
export const lif = lifNeuron.layer;

/** One LIF step on membrane v and input x; returns the new membrane and the spikes. */
export function lifStep(v: Tensor, x: Tensor, spec: LifSpec): { v: Tensor; s: Tensor } {
  const { state, output } = lifNeuron.step(v.builder, { v }, x, { attrs: spec });
  return { v: state.v, s: output };
}

/** Multi-step LIF over a time-major input `[T, ...]`; the membrane starts at V_reset each call. */
export function buildLif(b: GraphBuilder, x: Tensor, spec: LifSpec): Tensor {
  return lifNeuron.apply(b, x, spec);
}

export const lifLayer = lifNeuron.definition;
