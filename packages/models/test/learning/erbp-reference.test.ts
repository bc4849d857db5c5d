import { gradName } from '@spikeflow/autodiff';
import { evaluate, GraphBuilder, initParams } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { erbp, erbpFeedback, erbpNetwork, type ErbpNetwork } from '../../src/learning/index.js';

// eRBP's update on a tiny two-hidden-layer network against plain loops over the paper's equations
// (discrete time): H = αU + Σ_j W_ji s_j, z = [H ≥ θ], U = H − θz; V = βV + Σ_k G_ki e_k(t−1)
// (the output layer: V = βV + e_i(t−1)); e(t) = z_out(t) − y; ΔW_ji ∝ Σ_t Σ_b s_j Θ(H_i) V_i.

const SIZES = [5, 4, 3, 2];
const T = 7;
const B = 2;
const NEURON = { somaDecay: 0.7, dendriteDecay: 0.6, threshold: 0.5 };
const GATE = { min: -0.2, max: 1.2 };

function makeNetwork(): ErbpNetwork {
  return erbpNetwork({ sizes: SIZES, steps: T, batch: B, neuron: NEURON, weightScale: 1.5, feedbackScale: 1.5, feedbackSeed: 3 });
}

/** G_l as the graph draws them, [C, N_l] row-major. */
function feedbackValues(net: ErbpNetwork): Float64Array[] {
  return SIZES.slice(1, -1).map((_, l) => {
    const b = new GraphBuilder();
    const g = b.finish({ g: erbpFeedback(b, net.config, l) });
    return Float64Array.from(evaluate(g, { inputs: {}, params: {} }, { precision: 'f64' }).outputs.g!.data);
  });
}

interface Reference {
  readonly updates: number[][];
  readonly loss: number;
  readonly spikes: number;
  readonly gateOpen: number;
  readonly gateShut: number;
}

function referenceErbp(x: number[], labels: number[], weights: ArrayLike<number>[], feedback: Float64Array[]): Reference {
  const L = SIZES.length - 1;
  const C = SIZES[L]!;
  const { somaDecay: a, dendriteDecay: beta, threshold: theta } = NEURON;
  const updates = weights.map((w) => new Array<number>(w.length).fill(0));
  const rates = new Array<number>(B * C).fill(0);
  let spikes = 0;
  let gateOpen = 0;
  let gateShut = 0;
  for (let b = 0; b < B; b++) {
    const u = SIZES.slice(1).map((n) => new Array<number>(n).fill(0));
    const v = SIZES.slice(1).map((n) => new Array<number>(n).fill(0));
    let error = new Array<number>(C).fill(0);
    for (let t = 0; t < T; t++) {
      let pre = x.slice(b * SIZES[0]!, (b + 1) * SIZES[0]!);
      for (let l = 0; l < L; l++) {
        const nIn = SIZES[l]!;
        const n = SIZES[l + 1]!;
        const z = new Array<number>(n).fill(0);
        for (let i = 0; i < n; i++) {
          let current = 0;
          for (let j = 0; j < nIn; j++) current += weights[l]![j * n + i]! * pre[j]!;
          const h = a * u[l]![i]! + current;
          z[i] = h >= theta ? 1 : 0;
          u[l]![i] = h - theta * z[i]!;
          let dendritic = 0;
          if (l === L - 1) dendritic = error[i]!;
          else for (let k = 0; k < C; k++) dendritic += feedback[l]![k * n + i]! * error[k]!;
          v[l]![i] = beta * v[l]![i]! + dendritic;
          const open = h > GATE.min && h < GATE.max ? 1 : 0;
          if (open) gateOpen++;
          else gateShut++;
          for (let j = 0; j < nIn; j++) updates[l]![j * n + i]! += (pre[j]! * open * v[l]![i]!) / (T * B);
          spikes += z[i]!;
        }
        pre = z;
      }
      error = pre.map((zc, c) => zc - (labels[b] === c ? 1 : 0));
      pre.forEach((zc, c) => (rates[b * C + c]! += zc / T));
    }
  }
  let loss = 0;
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) loss += 0.5 * (rates[b * C + c]! - (labels[b] === c ? 1 : 0)) ** 2;
  return { updates, loss: loss / B, spikes, gateOpen, gateShut };
}

describe('eRBP', () => {
  it('sums the same updates as loops over the paper’s equations, on a 5-4-3-2 network', () => {
    const net = makeNetwork();
    const params = initParams(net.model, { seed: 5, precision: 'f64' });
    const x = [0.9, 0.1, 0.6, 0, 1, 0.3, 0.8, 0.2, 0.7, 0.5];
    const labels = [1, 0];
    const inputs = { x, labels };
    const wrt = [...net.params];
    const graph = erbp(net, { gate: GATE }).updateGraph(net.model, { loss: 'loss', wrt });
    const online = evaluate(graph, { inputs, params }, { precision: 'f64' }).outputs;
    const ref = referenceErbp(
      x,
      labels,
      wrt.map((name) => params[name]!.data as ArrayLike<number>),
      feedbackValues(net),
    );
    // The example exercises spikes, an open and a shut gate, and a non-zero update in every layer.
    expect(ref.spikes).toBeGreaterThan(5);
    expect(ref.gateOpen).toBeGreaterThan(5);
    expect(ref.gateShut).toBeGreaterThan(5);
    wrt.forEach((name, l) => {
      const got = online[gradName(name)]!.data;
      expect(Math.max(...ref.updates[l]!.map(Math.abs))).toBeGreaterThan(1e-3);
      ref.updates[l]!.forEach((want, k) => expect(got[k]!).toBeCloseTo(want, 10));
    });
    expect(online.loss!.data[0]!).toBeCloseTo(ref.loss, 10);
    // The model graph (what BPTT, FA and DFA differentiate, and what scores) runs the same forward pass.
    const model = evaluate(net.model, { inputs, params }, { precision: 'f64' }).outputs;
    expect(model.loss!.data[0]!).toBeCloseTo(ref.loss, 10);
    Array.from(model.scores!.data).forEach((s, k) => expect(online.scores!.data[k]!).toBeCloseTo(s, 10));
  });

  it('rejects a model that is not its network and a closed boxcar, naming them', () => {
    const net = makeNetwork();
    const other = erbpNetwork({ sizes: [5, 6, 2], steps: T, batch: B });
    expect(() => erbp(net).updateGraph(other.model, { loss: 'loss', wrt: [...other.params] })).toThrow(/erbp\/layer0\/w/);
    expect(() => erbp(net, { gate: { min: 1, max: 0 } })).toThrow(/erbp\.gate/);
  });
});
