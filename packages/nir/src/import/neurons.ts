import { defineNeuron, learnable, z, type StepContext } from '@spikeflow/models';
import type { Tensor } from '@spikeflow/core';

/**
 * NIR's neurons, forward-Euler discretised with step dt, as spikeflow neurons (`defineNeuron`: one
 * step written once; CPU reference, gradients and WGSL come from core, autodiff and webgpu).
 *
 * Each update is written in the operation order of spikeflow's own LIF/IF
 * (`v + (x − (v − v_rest))·k`), so a spikeflow model exported to NIR and imported again computes
 * with the same roundings wherever its constants are exact (docs/nir.md states when).
 *
 * Every parameter is a tensor the importer passes in: a scalar where the NIR array is uniform,
 * else the per-neuron array; the factors that hold dt (k = dt/τ, g = dt·R) are computed once in
 * f64 by the importer and rounded to f32.
 */

const spiking = {
  reset: z.enum(['to-reset-value', 'subtract-threshold']).default('to-reset-value'),
};

type SpikeParams = { vFire: Tensor; vThreshold: Tensor; vReset: Tensor };

/**
 * The spike and the reset. `vFire` is the threshold as spikeflow's Heaviside (1 where x ≥ 0)
 * compares it: the next f32 above v_threshold for NIR's strict v > v_threshold, else v_threshold.
 */
function fire(h: Tensor, p: SpikeParams, reset: 'to-reset-value' | 'subtract-threshold', spike: (x: Tensor) => Tensor): { v: Tensor; s: Tensor } {
  const s = spike(h.sub(p.vFire));
  if (reset === 'subtract-threshold') return { v: h.sub(s.mul(p.vThreshold)), s };
  return { v: h.mul(s.neg().add(1)).add(s.mul(p.vReset)), s };
}

const leaky = {
  leak: z.enum(['rate', 'time-constant']).default('rate'),
};

/**
 * The leaky charge `v + (R·x − (v − v_leak))·dt/τ`, forward Euler of τ dv/dt = v_leak − v + R·x.
 * `k` holds dt/τ (`rate`: multiplied) or τ/dt (`time-constant`: divided by, as spikeflow's LIF).
 */
function leak(v: Tensor, x: Tensor, r: Tensor, vLeak: Tensor, k: Tensor, arithmetic: 'rate' | 'time-constant'): Tensor {
  const drive = r.mul(x).sub(v.sub(vLeak));
  return v.add(arithmetic === 'rate' ? drive.mul(k) : drive.div(k));
}

const p = () => learnable(0);

/** NIR I (integrator): v ← v + g·x with g = dt·R; outputs v. */
export const nirIntegrator = defineNeuron({
  kind: 'nirI',
  state: { v: { init: 0 } },
  params: { g: p() },
  step: ({ state, input, params }) => {
    const v = state.v.add(params.g.mul(input));
    return { state: { v }, output: v };
  },
});

/** NIR IF: h = v + g·x (g = dt·R), spike where h passes v_threshold, then the reset. */
export const nirIf = defineNeuron({
  kind: 'nirIF',
  attrs: spiking,
  state: { v: { init: 0 } },
  params: { g: p(), vFire: p(), vThreshold: p(), vReset: p() },
  step: ({ state, input, params, attrs, spike }) => {
    const { v, s } = fire(state.v.add(params.g.mul(input)), params, attrs.reset, spike);
    return { state: { v }, spike: s };
  },
});

/** NIR LI: v ← v + (R·x − (v − v_leak))·dt/τ; outputs v. */
export const nirLi = defineNeuron({
  kind: 'nirLI',
  attrs: leaky,
  state: { v: { init: 0 } },
  params: { k: p(), r: p(), vLeak: p() },
  step: ({ state, input, params, attrs }) => {
    const v = leak(state.v, input, params.r, params.vLeak, params.k, attrs.leak);
    return { state: { v }, output: v };
  },
});

/** NIR LIF: h = v + (R·x − (v − v_leak))·dt/τ, spike, reset. */
export const nirLif = defineNeuron({
  kind: 'nirLIF',
  attrs: { ...spiking, ...leaky },
  state: { v: { init: 0 } },
  params: { k: p(), r: p(), vLeak: p(), vFire: p(), vThreshold: p(), vReset: p() },
  step: ({ state, input, params, attrs, spike }) => {
    const { v, s } = fire(leak(state.v, input, params.r, params.vLeak, params.k, attrs.leak), params, attrs.reset, spike);
    return { state: { v }, spike: s };
  },
});

type CubaParams = { kSyn: Tensor; wIn: Tensor; kMem: Tensor; r: Tensor; vLeak: Tensor };

/**
 * The current-based charge, as NIR's reference CubaLIF: I' = I + (w_in·x − I)·dt/τ_syn and
 * v' = v + (R·I − (v − v_leak))·dt/τ_mem with the current I of the previous step.
 */
function cubaCharge(ctx: StepContext<'i' | 'v', any, unknown>, params: CubaParams): { i: Tensor; v: Tensor } {
  const { state, input } = ctx;
  const i = state.i.add(params.wIn.mul(input).sub(state.i).mul(params.kSyn));
  return { i, v: leak(state.v, state.i, params.r, params.vLeak, params.kMem, 'rate') };
}

/** NIR CubaLI: the current-based charge; outputs v. */
export const nirCubaLi = defineNeuron({
  kind: 'nirCubaLI',
  state: { i: { init: 0 }, v: { init: 0 } },
  params: { kSyn: p(), wIn: p(), kMem: p(), r: p(), vLeak: p() },
  step: (ctx) => {
    const { i, v } = cubaCharge(ctx, ctx.params);
    return { state: { i, v }, output: v };
  },
});

/** NIR CubaLIF: the current-based charge, then spike and reset on v. */
export const nirCubaLif = defineNeuron({
  kind: 'nirCubaLIF',
  attrs: spiking,
  state: { i: { init: 0 }, v: { init: 0 } },
  params: { kSyn: p(), wIn: p(), kMem: p(), r: p(), vLeak: p(), vFire: p(), vThreshold: p(), vReset: p() },
  step: (ctx) => {
    const { i, v: h } = cubaCharge(ctx, ctx.params);
    const { v, s } = fire(h, ctx.params, ctx.attrs.reset, ctx.spike);
    return { state: { i, v }, spike: s };
  },
});
