import { gradName } from '@spikeflow/autodiff';
import { evaluate, initParams } from '@spikeflow/core';
import { expect, it } from 'vitest';
import { eprop, onlineNetwork } from '../../src/learning/index.js';
import { alifNeuron } from '../../src/neurons/index.js';

// A tiny recurrent ALIF network's e-prop update against plain loops over the equations of
// e-prop (Bellec et al. 2020, Methods), written out for spikeflow's ALIF: two eligibility vectors
// per synapse, ε_v (membrane) and ε_a (adaptation), the reset's path dropped, the readout's κ
// moved onto the eligibility, symmetric feedback. Nothing here uses autodiff.

const T = 9;
const B = 2;
const I = 2;
const N = 3;
const C = 2;
const attrs = { tauM: 8, tauA: 25, beta: 0.7, b0: 0.4, nRef: 0, gamma: 0.3, detachReset: true };
const kappa = 0.6;

it('e-prop on a tiny recurrent ALIF network matches hand-written loops', () => {
  const net = onlineNetwork({ neuron: alifNeuron, neuronAttrs: attrs, inputs: I, hidden: N, outputs: C, steps: T, batch: B, readoutDecay: kappa, inputScale: 4, recurrentScale: 3 });
  const params = initParams(net.model, { seed: 11, precision: 'f64' });
  const x = Array.from({ length: T * B * I }, (_, k) => Number((k * 7 + 3) % 5 < 2));
  const targets = Array.from({ length: T * B }, (_, k) => (k % B) % C);
  const mask = Array.from({ length: T * B }, (_, k) => Number(Math.floor(k / B) >= 3));
  const wrt = Object.values(net.params);
  const out = evaluate(eprop(net).updateGraph(net.model, { loss: 'loss', wrt }), { inputs: { x, targets, mask }, params }, { precision: 'f64' }).outputs;

  const wIn = params[net.params.input!]!.data;
  const wRecRaw = params[net.params.recurrent!]!.data;
  const wRec = (j: number, i: number) => (i === j ? 0 : wRecRaw[j * N + i]!);
  const wOut = params[net.params.readout!]!.data;
  const bias = params[net.params.bias!]!.data;
  const alpha = Math.exp(-1 / attrs.tauM);
  const rho = Math.exp(-1 / attrs.tauA);
  const { beta, b0, gamma } = attrs;
  const maskSum = mask.reduce((s, m) => s + m, 0);

  const dIn = new Float64Array(I * N);
  const dRec = new Float64Array(N * N);
  let spikes = 0;
  for (let b = 0; b < B; b++) {
    const v = new Float64Array(N);
    const a = new Float64Array(N);
    let z = new Float64Array(N);
    const y = new Float64Array(C);
    // Per synapse (pre j, post i): ε_v, ε_a, the last eligibility e and its κ-filtered ē.
    const groups = [I, N].map((pre) => ({ pre, epsV: new Float64Array(pre * N), epsA: new Float64Array(pre * N), e: new Float64Array(pre * N), eBar: new Float64Array(pre * N) }));
    for (let t = 0; t < T; t++) {
      const xt = Array.from({ length: I }, (_, j) => x[(t * B + b) * I + j]!);
      const zPrev = z;
      const current = Array.from({ length: N }, (_, i) => xt.reduce((s, xj, j) => s + xj * wIn[j * N + i]!, 0) + zPrev.reduce((s, zj, j) => s + zj * wRec(j, i), 0));
      z = new Float64Array(N);
      const psi = new Float64Array(N);
      const A = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        v[i] = alpha * v[i]! + (1 - alpha) * current[i]! - zPrev[i]! * b0;
        a[i] = rho * a[i]! + (1 - rho) * zPrev[i]!;
        A[i] = b0 + beta * a[i]!;
        const u = (v[i]! - A[i]!) / A[i]!;
        z[i] = Number(u >= 0);
        psi[i] = gamma * Math.max(0, 1 - Math.abs(u));
      }
      spikes += z.reduce((s, q) => s + q, 0);
      for (let k = 0; k < C; k++) y[k] = kappa * y[k]! + (1 - kappa) * z.reduce((s, zi, i) => s + zi * wOut[i * C + k]!, 0);
      const logits = Array.from(y, (yk, k) => yk + bias[k]!);
      const m = Math.max(...logits);
      const ex = logits.map((l) => Math.exp(l - m));
      const sum = ex.reduce((s, q) => s + q, 0);
      const w = mask[t * B + b]! / maskSum;
      const delta = ex.map((q, k) => w * (q / sum - Number(k === targets[t * B + b])));
      const L = Array.from({ length: N }, (_, i) => delta.reduce((s, d, k) => s + d * wOut[i * C + k]!, 0));
      groups.forEach((g, gi) => {
        const pre = gi === 0 ? xt : Array.from(zPrev);
        const target = gi === 0 ? dIn : dRec;
        for (let j = 0; j < g.pre; j++) {
          for (let i = 0; i < N; i++) {
            const s = j * N + i;
            g.epsA[s] = rho * g.epsA[s]! + (1 - rho) * g.e[s]!; // a_t = ρ a + (1 − ρ) z_{t−1}: through the last eligibility
            g.epsV[s] = alpha * g.epsV[s]! + (1 - alpha) * pre[j]!; // the reset's path is dropped
            // z_t = H(v/A − 1): ∂z/∂v = ψ/A, ∂z/∂a = −ψ β v/A²
            g.e[s] = psi[i]! * (g.epsV[s]! / A[i]! - (beta * v[i]! * g.epsA[s]!) / A[i]! ** 2);
            g.eBar[s] = kappa * g.eBar[s]! + (1 - kappa) * g.e[s]!;
            target[s]! += L[i]! * g.eBar[s]!;
          }
        }
      });
    }
  }
  for (let j = 0; j < N; j++) dRec[j * N + j] = 0;

  expect(spikes).toBeGreaterThan(5);
  for (const [name, want] of [[net.params.input!, dIn], [net.params.recurrent!, dRec]] as const) {
    const got = out[gradName(name)]!.data;
    const scale = Math.max(...Array.from(want, Math.abs));
    expect(scale, name).toBeGreaterThan(1e-6);
    want.forEach((value, k) => expect(Math.abs(got[k]! - value) / scale, `${name}[${k}]`).toBeLessThan(1e-9));
  }
});
