// The gated QIF network (Huh & Sejnowski 2018) has no surrogate: autodiff's gradient is the exact
// gradient of the discrete model, so it must equal central finite differences of the full loss for
// every weight. A surrogate-gradient LIF network of the same shape cannot pass this check: its loss
// is piecewise constant in the weights before the readout, so the finite differences are 0 (or a
// jump where a spike appears) wherever its surrogate gradient is not.
import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, tensor, toArray, type Graph, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { gatedQif, gatedQifNeuron, lif } from '../src/index.js';
import { finiteDiff } from './support/finite-difference.js';
import { paramNamesOf, SMALL, smallFeeds, smallRecurrentNetwork } from './support/small-recurrent-network.js';

const GATED = gatedQif({ tauV: 2, tauS: 4, gateWidth: 0.4 });

/** The loss (float64) with param `name` replaced by `values`. */
function lossWith(g: Graph, params: Record<string, HostTensor>, name: string, values: number[]): number {
  const changed = { ...params, [name]: tensor(params[name]!.type.shape, values, 'f32', 'f64') };
  return toArray(evaluate(g, { inputs: smallFeeds(), params: changed }, { precision: 'f64' }).outputs.loss!)[0]!;
}

function gradients(g: Graph, params: Record<string, HostTensor>): Record<string, number[]> {
  const names = paramNamesOf(g);
  const out = evaluate(grad(g, { of: 'loss', wrt: names }), { inputs: smallFeeds(), params }, { precision: 'f64' }).outputs;
  return Object.fromEntries(names.map((name) => [name, toArray(out[`grad/${name}`]!)]));
}

/**
 * The charge each neuron's gate put into its synapse over the run, Σ_t g(v_t)·v̇_t·dt: about 1 per
 * full passage through the active zone (a spike). From the Euler update s_{t+1} = s_t + (dt/τ_s)(−s_t + g·v̇),
 * summed over t with s_0 = 0: Σ_t g·v̇·dt = τ_s·s_T + dt·Σ_{t<T} s_t.
 */
function gateCharge(out: number[], tauS: number): number[] {
  const { T, B, N } = SMALL;
  return Array.from({ length: B * N }, (_, k) => {
    let sum = 0;
    for (let t = 0; t < T - 1; t++) sum += out[t * B * N + k]!;
    return tauS * out[(T - 1) * B * N + k]! + sum;
  });
}

describe('exact gradients of a recurrent gated-QIF network', () => {
  const g = smallRecurrentNetwork(GATED, 3);
  const params = initParams(g, { seed: 7, precision: 'f64' });

  it('the network spikes: several neurons pass through the gate more than once', () => {
    const out = toArray(evaluate(g, { inputs: smallFeeds(), params }, { precision: 'f64' }).outputs.out!);
    const charges = gateCharge(out, GATED.tauS);
    expect(charges.filter((q) => q > 1.5).length, `charges ${charges.map((q) => q.toFixed(2)).join(', ')}`).toBeGreaterThanOrEqual(3);
  });

  it('autodiff equals central finite differences of the loss for every input, recurrent and readout weight (1e-5 relative, float64)', () => {
    const exact = gradients(g, params);
    for (const name of paramNamesOf(g)) {
      const fd = finiteDiff((v) => lossWith(g, params, name, v), toArray(params[name]!), 1e-6);
      const scale = Math.max(...fd.map(Math.abs));
      expect(scale, `${name}: the loss depends on it`).toBeGreaterThan(1e-4);
      fd.forEach((want, k) => {
        const got = exact[name]![k]!;
        // Relative to the entry itself, with a floor at 1e-3 of the tensor's largest entry (W_rec's
        // masked diagonal is exactly 0 in both).
        expect(Math.abs(got - want), `${name}[${k}]: autodiff ${got}, finite differences ${want}`).toBeLessThanOrEqual(1e-5 * Math.max(Math.abs(want), 1e-3 * scale));
      });
    }
  });
});

describe('a surrogate-gradient LIF network of the same shape fails that check', () => {
  const g = smallRecurrentNetwork(lif({ tau: 2, decayInput: false, vThreshold: 1 }), 3);
  const params = initParams(g, { seed: 7, precision: 'f64' });

  it('its finite differences are 0 or a jump for the weights before the spikes, where the surrogate gradient is not 0', () => {
    const out = toArray(evaluate(g, { inputs: smallFeeds(), params }, { precision: 'f64' }).outputs.out!);
    expect(out.filter((s) => s === 1).length, 'it spikes').toBeGreaterThan(10);
    const surrogate = gradients(g, params);
    const h = 1e-6;
    let flat = 0;
    for (const name of ['hidden/input/w', 'hidden/input/b', 'hidden/rec/w']) {
      const fd = finiteDiff((v) => lossWith(g, params, name, v), toArray(params[name]!), h);
      fd.forEach((d, k) => {
        // No spike moves under a perturbation of 1e-6: the loss does not change at all. Where one
        // appears or vanishes the difference quotient is a jump of order 1/h: no derivative exists.
        expect(d === 0 || Math.abs(d) > 1e-2 / h, `${name}[${k}]: ${d}`).toBe(true);
        if (d === 0 && surrogate[name]![k] !== 0) flat++;
      });
    }
    expect(flat, 'entries whose finite difference is 0 and whose surrogate gradient is not').toBeGreaterThan(20);
    // The readout weights act on the spikes linearly: there the gradient is exact for LIF too.
    const readout = finiteDiff((v) => lossWith(g, params, 'readout/w', v), toArray(params['readout/w']!), h);
    readout.forEach((d, k) => expect(Math.abs(d - surrogate['readout/w']![k]!)).toBeLessThan(1e-6));
  });

  it('the gated QIF neuron declares no surrogate: its step uses no spike op', () => {
    const g2 = smallRecurrentNetwork(gatedQifNeuron.layer(), 1);
    const ops = JSON.stringify(g2.nodes);
    expect(ops.includes('"spike"')).toBe(false);
    expect(JSON.stringify(smallRecurrentNetwork(lif(), 1).nodes).includes('"spike"')).toBe(true);
  });
});
