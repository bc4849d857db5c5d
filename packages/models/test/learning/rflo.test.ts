import { grad, gradName } from '@spikeflow/autodiff';
import { evaluate, GraphBuilder, initParams, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { feedbackMatrix } from '../../src/learning/feedback.js';
import { eprop, onlineNetwork, rateNeuron, rflo, type Feedback } from '../../src/learning/index.js';
import { maxRelativeError } from '../../src/learning-checks/bptt-comparison.js';

// RFLO checked two ways: against plain loops of Murray's equations written here (hand truth), and
// against BPTT where the two must agree: with W_rec = 0 the path RFLO drops (through the other
// neurons) is absent, so with symmetric feedback its updates are the exact gradient.

const T = 7;
const B = 2;
const N_IN = 2;
const N = 3;
const C = 2;

function feeds(seed: number): Record<string, number[]> {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return {
    x: Array.from({ length: T * B * N_IN }, () => rand() * 2 - 1),
    targets: Array.from({ length: T * B }, () => Number(rand() < 0.5)),
    mask: Array.from({ length: T * B }, (_, k) => Number(Math.floor(k / B) >= 2)),
  };
}

function network(alpha = 0.4) {
  return onlineNetwork({ neuron: rateNeuron, neuronAttrs: { alpha }, inputs: N_IN, hidden: N, outputs: C, steps: T, batch: B, inputScale: 2, recurrentScale: 1.5, outputScale: 2 });
}

/** The feedback matrix B [N, C] the rule uses, read out of its graph. */
function feedbackValues(feedback: Feedback, readout: HostTensor): Float64Array {
  const b = new GraphBuilder();
  const w = b.input('w', [N, C]);
  return Float64Array.from(evaluate(b.finish({ B: feedbackMatrix(b, feedback, w) }), { inputs: { w: readout } }, { precision: 'f64' }).outputs.B!.data);
}

/** Murray's RFLO as loops: r, u, the traces p, the per-step error and the summed updates. */
function handRflo(alpha: number, inputs: Record<string, number[]>, params: Record<string, HostTensor>, names: ReturnType<typeof network>['params'], feedback: Float64Array) {
  const wIn = params[names.input!]!.data;
  const wRec = params[names.recurrent!]!.data;
  const wOut = params[names.readout!]!.data;
  const bias = params[names.bias!]!.data;
  const { x, targets, mask } = inputs;
  const total = mask!.reduce((a, m) => a + m, 0);
  const dIn = new Float64Array(N_IN * N);
  const dRec = new Float64Array(N * N);
  const dOut = new Float64Array(N * C);
  const dBias = new Float64Array(C);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    let r = new Float64Array(N);
    const pIn = new Float64Array(N_IN * N);
    const pRec = new Float64Array(N * N);
    for (let t = 0; t < T; t++) {
      const xt = (j: number) => x![(t * B + b) * N_IN + j]!;
      const rNew = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        let u = 0;
        for (let j = 0; j < N_IN; j++) u += xt(j) * wIn[j * N + i]!;
        for (let j = 0; j < N; j++) if (j !== i) u += r[j]! * wRec[j * N + i]!;
        const slope = 1 - Math.tanh(u) ** 2;
        rNew[i] = (1 - alpha) * r[i]! + alpha * Math.tanh(u);
        for (let j = 0; j < N_IN; j++) pIn[j * N + i] = (1 - alpha) * pIn[j * N + i]! + alpha * slope * xt(j);
        for (let j = 0; j < N; j++) pRec[j * N + i] = (1 - alpha) * pRec[j * N + i]! + alpha * slope * r[j]!;
      }
      r = rNew;
      const logits = Array.from({ length: C }, (_, k) => bias[k]! + Array.from(r).reduce((a, rv, i) => a + rv * wOut[i * C + k]!, 0));
      const z = Math.log(logits.reduce((a, l) => a + Math.exp(l), 0));
      const target = targets![t * B + b]!;
      const w = mask![t * B + b]! / total;
      loss -= w * (logits[target]! - z);
      // δ = ∂ℓ_t/∂logits = w (softmax − onehot) = −w e_t; the learning signal is (B δ)_i.
      const delta = logits.map((l, k) => w * (Math.exp(l - z) - Number(k === target)));
      for (let i = 0; i < N; i++) {
        const signal = delta.reduce((a, d, k) => a + feedback[i * C + k]! * d, 0);
        for (let j = 0; j < N_IN; j++) dIn[j * N + i] += signal * pIn[j * N + i]!;
        for (let j = 0; j < N; j++) if (j !== i) dRec[j * N + i] += signal * pRec[j * N + i]!;
        for (let k = 0; k < C; k++) dOut[i * C + k] += r[i]! * delta[k]!;
      }
      delta.forEach((d, k) => (dBias[k] += d));
    }
  }
  return { loss, [names.input!]: dIn, [names.recurrent!]: dRec, [names.readout!]: dOut, [names.bias!]: dBias };
}

function setup(zeroRecurrent: boolean, alpha?: number) {
  const net = network(alpha);
  const wrt = Object.values(net.params);
  const params = initParams(net.model, { seed: 3, precision: 'f64' });
  if (zeroRecurrent) params[net.params.recurrent!] = { ...params[net.params.recurrent!]!, data: new Float64Array(N * N) };
  return { net, wrt, params, inputs: feeds(11) };
}

describe('RFLO equals loops of its equations', () => {
  // α = 1 (no leak) takes the unmaterialised path: p_t = c_t ⊗ pre_t.
  for (const [feedback, alpha] of [[{ kind: 'random', seed: 4 }, 0.4], [{ kind: 'symmetric' }, 0.4], [{ kind: 'random', seed: 4 }, 1]] as const) {
    it(`${feedback.kind} feedback, α = ${alpha}`, () => {
      const { net, wrt, params, inputs } = setup(false, alpha);
      const online = evaluate(rflo(net, { feedback }).updateGraph(net.model, { loss: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
      const hand = handRflo(alpha, inputs, params, net.params, feedbackValues(feedback, params[net.params.readout!]!));
      expect(online.loss!.data[0]).toBeCloseTo(hand.loss as number, 12);
      for (const p of wrt) {
        const want = hand[p] as Float64Array;
        expect(Math.max(...Array.from(want, Math.abs)), p).toBeGreaterThan(1e-4);
        expect(maxRelativeError(online[gradName(p)]!.data, want), p).toBeLessThan(1e-12);
      }
    });
  }
});

describe('RFLO against BPTT', () => {
  it('W_rec = 0, B = W_out: every update is the exact gradient', () => {
    const { net, wrt, params, inputs } = setup(true);
    const bptt = evaluate(grad(net.model, { of: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
    const online = evaluate(rflo(net, { feedback: { kind: 'symmetric' } }).updateGraph(net.model, { loss: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
    expect(online.loss!.data[0]).toBeCloseTo(bptt.loss!.data[0]!, 12);
    for (const p of wrt) {
      const exact = bptt[gradName(p)]!.data;
      expect(Math.max(...Array.from(exact, Math.abs)), p).toBeGreaterThan(1e-4);
      expect(maxRelativeError(online[gradName(p)]!.data, exact), p).toBeLessThan(1e-10);
    }
  });

  it('W_rec ≠ 0: the readout stays exact, the hidden updates lose the path through other neurons', () => {
    const { net, params, inputs } = setup(false);
    const wrt = Object.values(net.params);
    const bptt = evaluate(grad(net.model, { of: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
    const online = evaluate(rflo(net, { feedback: { kind: 'symmetric' } }).updateGraph(net.model, { loss: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
    for (const p of [net.params.readout!, net.params.bias!]) expect(maxRelativeError(online[gradName(p)]!.data, bptt[gradName(p)]!.data), p).toBeLessThan(1e-10);
    for (const p of [net.params.input!, net.params.recurrent!]) expect(maxRelativeError(online[gradName(p)]!.data, bptt[gradName(p)]!.data), p).toBeGreaterThan(1e-3);
  });

  it('on a rate unit read out directly, e-prop and RFLO are the same rule', () => {
    const { net, wrt, params, inputs } = setup(false);
    const feedback = { kind: 'random', seed: 9 } as const;
    const a = evaluate(rflo(net, { feedback }).updateGraph(net.model, { loss: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
    const e = evaluate(eprop(net, { feedback }).updateGraph(net.model, { loss: 'loss', wrt }), { inputs, params }, { precision: 'f64' }).outputs;
    for (const p of wrt) expect(maxRelativeError(a[gradName(p)]!.data, e[gradName(p)]!.data), p).toBeLessThan(1e-12);
  });

  it('rejects a leaky readout, naming the field', () => {
    expect(() => {
      const net = onlineNetwork({ neuron: rateNeuron, inputs: 1, hidden: 2, outputs: 2, steps: 2, batch: 1, readoutDecay: 0.5 });
      rflo(net).updateGraph(net.model, { loss: 'loss', wrt: Object.values(net.params) });
    }).toThrow(/readoutDecay/);
  });
});
