import { fail, type Tensor } from '@spikeflow/core';
import type { PlasticitySpec } from './spec.js';

/**
 * Plasticity rules as graph builders on per-sample tensors: Hebb and the eligibility trace E are
 * [B, in, out], the presynaptic x is [B, in], the postsynaptic y and BCM's θ are [B, out].
 * A rate (η, η_E, r) is a number or a scalar tensor; η may also be per sample, [B] (one
 * neuromodulator per network, as in Backpropamine) or [B, out] (one per postsynaptic neuron).
 */
export type PlasticityRate = Tensor | number;

/** Lifts η onto the synapse grid [B, in, out]. */
function synapseRate(eta: PlasticityRate): PlasticityRate {
  if (typeof eta === 'number' || eta.rank === 0) return eta;
  if (eta.rank > 2) fail('shape', eta.builder.path(), 'a plasticity rate must be a scalar, [B] or [B, out]', 'rank <= 2', `[${eta.shape.join(', ')}]`);
  return eta.reshape([eta.shape[0]!, 1, eta.shape[1] ?? 1]);
}

/** (1 − r)·s + r·target, written s + r·(target − s): one form for Miconi's Hebbian trace, the eligibility trace, BCM's θ and a spike trace. */
export function decayTowards(state: Tensor, target: Tensor, rate: PlasticityRate): Tensor {
  return state.add(target.sub(state).mul(rate));
}

export function clipMagnitude(t: Tensor, bound: number): Tensor {
  return t.maximum(-bound).minimum(bound);
}

/** x_i·y_j per sample. */
export function hebbDelta(x: Tensor, y: Tensor): Tensor {
  const [batch, pre] = x.shape as [number, number];
  return x.reshape([batch, pre, 1]).mul(y.reshape([batch, 1, y.shape[1]!]));
}

/** Oja: y_j·(x_i − y_j·Hebb_ij), whose decay term keeps Hebb bounded. */
export function ojaDelta(hebb: Tensor, x: Tensor, y: Tensor): Tensor {
  const [batch, pre, post] = hebb.shape as [number, number, number];
  const yj = y.reshape([batch, 1, post]);
  return yj.mul(x.reshape([batch, pre, 1]).sub(yj.mul(hebb)));
}

/** BCM: x_i·y_j·(y_j − θ_j): potentiation above the sliding threshold θ, depression below. */
export function bcmDelta(x: Tensor, y: Tensor, theta: Tensor): Tensor {
  return hebbDelta(x, y.mul(y.sub(theta)));
}

/** θ ← (1 − r)·θ + r·y²: the running mean of y² that BCM slides its threshold along. */
export function bcmThreshold(theta: Tensor, y: Tensor, rate: PlasticityRate): Tensor {
  return decayTowards(theta, y.mul(y), rate);
}

/** Miconi et al. 2018: Hebb ← (1 − η)·Hebb + η·Δ. */
export function hebbianTrace(hebb: Tensor, delta: Tensor, eta: PlasticityRate): Tensor {
  return decayTowards(hebb, delta, synapseRate(eta));
}

/** Hebb ← clip(Hebb + η·Δ, ±c); with η = M(t) this is Backpropamine's simple neuromodulation. */
export function clippedUpdate(hebb: Tensor, delta: Tensor, eta: PlasticityRate, bound: number): Tensor {
  return clipMagnitude(hebb.add(delta.mul(synapseRate(eta))), bound);
}

/** E ← (1 − η_E)·E + η_E·Δ: the coincidences a later modulator may still act on. */
export function eligibilityTrace(e: Tensor, delta: Tensor, etaE: PlasticityRate): Tensor {
  return decayTowards(e, delta, etaE);
}

/** The per-sample state of a plastic synapse: Hebb, plus E and θ when the spec needs them. */
export interface PlasticState {
  readonly hebb: Tensor;
  readonly eligibility?: Tensor;
  readonly theta?: Tensor;
}

/** The increment Δ of the spec's rule; `theta` is BCM's threshold before this step. */
export function plasticDelta(spec: PlasticitySpec, hebb: Tensor, x: Tensor, y: Tensor, theta: Tensor | undefined): Tensor {
  switch (spec.rule) {
    case 'hebb':
      return hebbDelta(x, y);
    case 'oja':
      return ojaDelta(hebb, x, y);
    case 'bcm':
      if (theta === undefined) fail('interface', x.builder.path(), 'the BCM rule needs its threshold θ in the plastic state');
      return bcmDelta(x, y, theta);
  }
}

/**
 * One step of the spec's rule from presynaptic x and postsynaptic y at rate η (or M(t)). BCM's
 * Δ uses θ from before this step (the mean of past y²), then θ takes in y². The retroactive update
 * follows the Backpropamine reference code: M(t) acts on E as it was, so it modulates earlier
 * coincidences, and only then does E take in this step's Δ.
 */
export function plasticityStep(spec: PlasticitySpec, state: PlasticState, x: Tensor, y: Tensor, eta: PlasticityRate): PlasticState {
  const delta = plasticDelta(spec, state.hebb, x, y, state.theta);
  const theta = spec.rule === 'bcm' ? bcmThreshold(state.theta!, y, spec.thetaRate) : undefined;
  switch (spec.update) {
    case 'trace':
      return { hebb: hebbianTrace(state.hebb, delta, eta), theta };
    case 'clip':
      return { hebb: clippedUpdate(state.hebb, delta, eta, spec.clip), theta };
    case 'eligibility': {
      if (state.eligibility === undefined) fail('interface', x.builder.path(), 'the eligibility update needs E in the plastic state');
      const hebb = clippedUpdate(state.hebb, state.eligibility, eta, spec.clip);
      return { hebb, eligibility: eligibilityTrace(state.eligibility, delta, spec.eligibilityRate), theta };
    }
  }
}
