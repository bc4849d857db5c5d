import { grad, gradName } from '@spikeflow/autodiff';
import { evaluate, initParams, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { eprop, onlineNetwork, type OnlineNetworkOptions } from '../../src/learning/index.js';
import { alifNeuron, lifNeuron } from '../../src/neurons/index.js';

// With recurrent weights zero, a neuron's spikes depend on a weight only through its own state,
// so e-prop's eligibility is the exact derivative and its update equals the BPTT gradient (same
// surrogate, the reset detached in both). With recurrence, only the direction is compared.

const T = 14;
const B = 2;
const sizes = { inputs: 3, hidden: 4, outputs: 2, steps: T, batch: B };

/** Inputs: Bernoulli spikes, per-step targets, and a mask scoring the last half. */
function feeds(seed: number): Record<string, number[]> {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const x = Array.from({ length: T * B * sizes.inputs }, () => Number(rand() < 0.4));
  const targets = Array.from({ length: T * B }, (_, k) => (k % B === 0 ? 1 : 0));
  const mask = Array.from({ length: T * B }, (_, k) => Number(Math.floor(k / B) >= T / 2));
  return { x, targets, mask };
}

const LIF = { neuron: lifNeuron, neuronAttrs: { tau: 4, vReset: null, vThreshold: 0.6, detachReset: true } };
// A hard reset makes ∂v_t/∂v_{t−1} differ per neuron: the full-trace path instead of presynaptic traces.
const LIF_HARD = { neuron: lifNeuron, neuronAttrs: { tau: 4, vReset: 0, vThreshold: 0.6, detachReset: true } };
const ALIF = { neuron: alifNeuron, neuronAttrs: { tauM: 10, tauA: 30, beta: 0.8, b0: 0.3, nRef: 1, detachReset: true } };

function compare(options: Omit<OnlineNetworkOptions, keyof typeof sizes>, zeroRecurrent: boolean) {
  const net = onlineNetwork({ ...sizes, inputScale: 3, recurrentScale: 2, ...options });
  const wrt = Object.values(net.params);
  const params = initParams(net.model, { seed: 5, precision: 'f64' });
  if (zeroRecurrent) params[net.params.recurrent!] = { ...params[net.params.recurrent!]!, data: new Float64Array(sizes.hidden ** 2) };
  const inputs = feeds(7);
  const bptt = evaluate(grad(net.model, { of: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
  const online = evaluate(eprop(net).updateGraph(net.model, { loss: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
  const spikes = evaluate(net.model, { inputs, params }, { precision: 'f64' }).outputs;
  return { net, wrt, bptt, online, spikes };
}

function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < b.length; k++) {
    num = Math.max(num, Math.abs(a[k]! - b[k]!));
    den = Math.max(den, Math.abs(b[k]!));
  }
  return num / den;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < a.length; k++) {
    ab += a[k]! * b[k]!;
    aa += a[k]! ** 2;
    bb += b[k]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('e-prop equals BPTT without recurrence', () => {
  for (const [name, neuron] of [['LIF', LIF], ['LIF hard reset', LIF_HARD], ['ALIF', ALIF]] as const) {
    for (const readoutDecay of [0, 0.7]) {
      for (const rate of [undefined, { target: 0.1, weight: 0.5 }]) {
        it(`${name}, κ = ${readoutDecay}${rate ? ', rate regulariser' : ''}`, () => {
          const { wrt, bptt, online } = compare({ ...neuron, readoutDecay, rateRegularization: rate }, true);
          expect(online.loss!.data[0]).toBeCloseTo(bptt.loss!.data[0]!, 12);
          for (const p of wrt) {
            const exact = bptt[gradName(p)]!.data;
            // A gradient that is all zero would make the comparison empty.
            expect(Math.max(...Array.from(exact, Math.abs)), p).toBeGreaterThan(1e-6);
            const err = relError(online[gradName(p)]!.data, exact);
            console.log(`[eprop exact] ${name} κ=${readoutDecay}${rate ? ' reg' : ''} ${p}: rel err ${err.toExponential(2)}`);
            expect(err, p).toBeLessThan(1e-5);
          }
        });
      }
    }
  }
});

describe('e-prop against BPTT with recurrence', () => {
  for (const [name, neuron] of [['LIF', LIF], ['ALIF', ALIF]] as const) {
    it(`${name}: the updates point the same way as the gradient`, () => {
      const { net, bptt, online } = compare({ ...neuron, readoutDecay: 0.7 }, false);
      const inIn = cosine(online[gradName(net.params.input!)]!.data, bptt[gradName(net.params.input!)]!.data);
      const rec = cosine(online[gradName(net.params.recurrent!)]!.data, bptt[gradName(net.params.recurrent!)]!.data);
      // The readout's update is exact in e-prop, recurrence or not.
      expect(relError(online[gradName(net.params.readout!)]!.data, bptt[gradName(net.params.readout!)]!.data)).toBeLessThan(1e-9);
      console.log(`[eprop cosine] ${name}: input ${inIn.toFixed(4)}, recurrent ${rec.toFixed(4)}`);
      expect(inIn).toBeGreaterThan(0.5);
      expect(rec).toBeGreaterThan(0);
    });
  }
});
