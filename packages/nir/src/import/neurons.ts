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

const RESETS = ['to-reset-value', 'subtract-threshold', 'subtract-threshold-next-step'] as const;
const spiking = {
  reset: z.enum(RESETS).default('to-reset-value'),
};

type SpikeParams = { vFire: Tensor; vThreshold: Tensor; vReset: Tensor };

/**
 * The spike and the reset of the charged membrane h; `previous` is the state v the step began from.
 * `vFire` is the threshold as spikeflow's Heaviside (1 where x ≥ 0) compares it: the next f32 above
 * v_threshold for NIR's strict v > v_threshold, else v_threshold. `subtract-threshold-next-step`
 * keeps v unreset and subtracts the threshold a step later, after the leak; the spike it subtracts
 * is that of `previous` (the unreset membrane of the last step), compared again.
 */
function fire(h: Tensor, previous: Tensor, p: SpikeParams, reset: (typeof RESETS)[number], spike: (x: Tensor) => Tensor): { v: Tensor; s: Tensor } {
  if (reset === 'subtract-threshold-next-step') {
    const v = h.sub(spike(previous.sub(p.vFire)).mul(p.vThreshold));
    return { v, s: spike(v.sub(p.vFire)) };
  }
  const s = spike(h.sub(p.vFire));
  if (reset === 'subtract-threshold') return { v: h.sub(s.mul(p.vThreshold)), s };
  return { v: h.mul(s.neg().add(1)).add(s.mul(p.vReset)), s };
}

type Leak = 'rate' | 'time-constant' | 'decay';
const leaky = {
  leak: z.enum(['rate', 'time-constant', 'decay']).default('rate'),
};

type LeakParams = { k: Tensor; r: Tensor; vLeak: Tensor; decay?: Tensor | number };

/**
 * The leaky charge `v + (R·x − (v − v_leak))·dt/τ`, forward Euler of τ dv/dt = v_leak − v + R·x.
 * `k` holds dt/τ (`rate`: multiplied; `decay`: with `decay` = 1 − dt/τ, as (1 − k)·v + k·(R·x + v_leak))
 * or τ/dt (`time-constant`: divided by, as spikeflow's LIF).
 */
function leak(v: Tensor, x: Tensor, p: LeakParams, arithmetic: Leak): Tensor {
  if (arithmetic === 'decay') return v.mul(p.decay!).add(p.r.mul(x).add(p.vLeak).mul(p.k));
  const drive = p.r.mul(x).sub(v.sub(p.vLeak));
  return v.add(arithmetic === 'rate' ? drive.mul(p.k) : drive.div(p.k));
}

const p = () => learnable(0);

/** The leak's params: `decay` (1 − dt/τ) only for the `decay` arithmetic. */
const leakParams = (arithmetic: Leak) => ({ k: p(), r: p(), vLeak: p(), ...(arithmetic === 'decay' ? { decay: p() } : {}) });

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
    const { v, s } = fire(state.v.add(params.g.mul(input)), state.v, params, attrs.reset, spike);
    return { state: { v }, spike: s };
  },
});

/** NIR LI: v ← v + (R·x − (v − v_leak))·dt/τ; outputs v. */
export const nirLi = defineNeuron({
  kind: 'nirLI',
  attrs: leaky,
  state: { v: { init: 0 } },
  params: (attrs) => leakParams(attrs.leak),
  step: ({ state, input, params, attrs }) => {
    const v = leak(state.v, input, params, attrs.leak);
    return { state: { v }, output: v };
  },
});

/** NIR LIF: h = v + (R·x − (v − v_leak))·dt/τ, spike, reset. */
export const nirLif = defineNeuron({
  kind: 'nirLIF',
  attrs: { ...spiking, ...leaky },
  state: { v: { init: 0 } },
  params: (attrs) => ({ ...leakParams(attrs.leak), vFire: p(), vThreshold: p(), vReset: p() }),
  step: ({ state, input, params, attrs, spike }) => {
    const { v, s } = fire(leak(state.v, input, params, attrs.leak), state.v, params, attrs.reset, spike);
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
  return { i, v: leak(state.v, state.i, { k: params.kMem, r: params.r, vLeak: params.vLeak }, 'rate') };
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
    const { v, s } = fire(h, ctx.state.v, ctx.params, ctx.attrs.reset, ctx.spike);
    return { state: { i, v }, spike: s };
  },
});
