import { describe, expect, it } from 'vitest';
import { evaluate, tensor, toArray, trace, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { grad } from '../src/index.js';

/*
 * A worked BPTT example: x [T=3, B=1, 2 inputs] -> W1 [2,2] -> LIF -> W2 [2,1] -> LIF, loss = sum of
 * output spikes. LIF (SpikingJelly decay_input, tau = 2, V_th = 1, V_reset = 0, hard reset):
 *   H_t = V_{t-1} + (X_t - V_{t-1})/2 = (V_{t-1} + X_t)/2,  S_t = spike(H_t - 1),  V_t = H_t(1 - S_t),  V_{-1} = 0.
 * Surrogate atan, a = 2: g(u) = a/(2(1 + (pi a u/2)^2)) = 1/(1 + pi^2 u^2), at u = H_t - 1.
 *
 * Weights (rows: inputs, columns: neurons) are dyadic, so every forward value below is exact:
 *   W1 = [[0.25, 2.25], [2.5, 0.5]],  W2 = [[1], [0.75]];   x_0 = [1, 0], x_1 = [1, 1], x_2 = [0, 1].
 *
 * Forward, layer 1 (neurons a, b), X1_t = x_t W1:
 *   t=0: X1 = [0.25, 2.25]  H1 = [0.125, 1.125]             S1 = [0, 1]  V1 = [0.125, 0]
 *   t=1: X1 = [2.75, 2.75]  H1 = [(0.125+2.75)/2, 2.75/2]
 *                              = [1.4375, 1.375]             S1 = [1, 1]  V1 = [0, 0]
 *   t=2: X1 = [2.5, 0.5]    H1 = [1.25, 0.25]               S1 = [1, 0]  V1 = [0, 0.25]
 * Forward, layer 2, X2_t = S1_t W2:
 *   t=0: X2 = 0.75          H2 = 0.375                      S2 = 0       V2 = 0.375
 *   t=1: X2 = 1.75          H2 = (0.375+1.75)/2 = 1.0625    S2 = 1       V2 = 0
 *   t=2: X2 = 1             H2 = 0.5                        S2 = 0       V2 = 0.5
 * Both hidden neurons fire on some steps and not others; the output fires once. The nine
 * u = H - 1 all differ in |u|, so every surrogate value is distinct:
 *   g(-0.875) = 0.1168713647  g(0.4375) = 0.3461280768  g(0.25)   = 0.6184864582   (neuron a)
 *   g(0.125)  = 0.8663915357  g(0.375)  = 0.4187757051  g(-0.75)  = 0.1526332484   (neuron b)
 *   g(-0.625) = 0.2059598936  g(0.0625) = 0.9628780265  g(-0.5)   = 0.2884004391   (output)
 *
 * Backward. With dH = dL/dH_t (total) and r = 1 without detachReset, 0 with it:
 *   dV_t/dH_t = (1 - S_t) - r H_t g_t     (hard reset V = H(1 - S(H)); detachReset drops the S'(H) term)
 *   dH_{t+1}/dV_t = 1 - 1/tau = 1/2,  dH_t/dX_t = 1/tau = 1/2
 *   dH_t = dL/dS_t g_t + (dH_{t+1}/2) dV_t/dH_t   (dH_3 = 0)
 * Output layer, dL/dS2_t = 1:
 *   dH2_2 = g(-0.5)                                                            = 0.2884004391
 *   dH2_1 = g(0.0625) + (dH2_2/2)((1 - 1) - r 1.0625 g(0.0625))      r=1: 0.8153528523   r=0: 0.9628780265
 *   dH2_0 = g(-0.625) + (dH2_1/2)((1 - 0) - r 0.375 g(-0.625))       r=1: 0.5821494472   r=0: 0.6873989069
 *   dW2[j] = sum_t S1_t[j] dH2_t/2:
 *     dW2[0] = (dH2_1 + dH2_2)/2                                     r=1: 0.5518766457   r=0: 0.6256392328
 *     dW2[1] = (dH2_0 + dH2_1)/2                                     r=1: 0.6987511497   r=0: 0.8251384667
 * Hidden layer: dL/dS1_t[j] = W2[j] dH2_t/2 (the spikes fed forward are never detached), then the same
 * recursion per neuron:
 *   dH1_t[a] over t = 0,1,2:  r=1: 0.09260996566  0.1189206330  0.08918588307
 *                             r=0: 0.1234884041   0.1666395598  0.08918588307
 *   dH1_t[b] over t = 0,1,2:  r=1: 0.1290531549   0.1232911453  0.01650731095
 *                             r=0: 0.2233337230   0.1512112217  0.01650731095
 *   dW1[i][j] = sum_t x_t[i] dH1_t[j]/2:  dW1[0][j] = (dH1_0 + dH1_1)/2,  dW1[1][j] = (dH1_1 + dH1_2)/2
 *     r=1: [[0.1057652993, 0.1261721501], [0.1040532580, 0.06989922813]]
 *     r=0: [[0.1450639819, 0.1872724723], [0.1279127214, 0.08385926631]]
 */

const X = [[1, 0], [1, 1], [0, 1]] as const;
const W1 = [[0.25, 2.25], [2.5, 0.5]] as const;
const W2 = [1, 0.75] as const;

// The hand-derived forward pass above, per step t.
const H1 = [[0.125, 1.125], [1.4375, 1.375], [1.25, 0.25]] as const;
const S1 = [[0, 1], [1, 1], [1, 0]] as const;
const H2 = [0.375, 1.0625, 0.5] as const;
const S2 = [0, 1, 0] as const;

/** atan surrogate with a = 2 at H - V_th. */
const g = (h: number): number => 1 / (1 + Math.PI ** 2 * (h - 1) ** 2);

/** The recursion dH_t = dL/dS_t g_t + (dH_{t+1}/2)((1 - S_t) - r H_t g_t), unrolled over t = 2, 1, 0. */
function membraneCotangents(dLdS: readonly number[], h: readonly number[], s: readonly number[], r: number): number[] {
  const dH2 = dLdS[2]! * g(h[2]!);
  const dH1 = dLdS[1]! * g(h[1]!) + (dH2 / 2) * (1 - s[1]! - r * h[1]! * g(h[1]!));
  const dH0 = dLdS[0]! * g(h[0]!) + (dH1 / 2) * (1 - s[0]! - r * h[0]! * g(h[0]!));
  return [dH0, dH1, dH2];
}

function handGradients(detachReset: boolean): { dW1: number[][]; dW2: number[] } {
  const r = detachReset ? 0 : 1;
  const dH2 = membraneCotangents([1, 1, 1], H2, S2, r);
  const dX2 = dH2.map((d) => d / 2);
  const dW2 = [0, 1].map((j) => S1[0][j]! * dX2[0]! + S1[1][j]! * dX2[1]! + S1[2][j]! * dX2[2]!);
  const dW1 = [[0, 0], [0, 0]];
  for (const j of [0, 1]) {
    const dH1 = membraneCotangents(dX2.map((d) => W2[j]! * d), H1.map((h) => h[j]!), S1.map((s) => s[j]!), r);
    for (const i of [0, 1]) dW1[i]![j] = (X[0][i]! * dH1[0]! + X[1][i]! * dH1[1]! + X[2][i]! * dH1[2]!) / 2;
  }
  return { dW1, dW2 };
}

/** Multi-step LIF written straight from docs/models/neurons.md ("IF, LIF and PLIF"); returns the stacked spikes and H. */
function lif(b: GraphBuilder, input: Tensor, detachReset: boolean): { s: Tensor; h: Tensor } {
  const { outputs } = b.scan({
    carries: [b.constant(0, input.shape.slice(1))],
    sequences: [input],
    body: (_, [v], [x]) => {
      const h = v!.add(x!.sub(v!).div(2));
      const s = h.sub(1).spike({ kind: 'atan', alpha: 2 });
      const sr = detachReset ? s.stopGradient() : s;
      return { carries: [h.mul(sr.neg().add(1))], outputs: [s, h] };
    },
  });
  return { s: outputs[0]!, h: outputs[1]! };
}

function frameworkGradients(detachReset: boolean) {
  const forward = trace((b) => {
    const x = b.input('x', [3, 1, 2]);
    const w1 = b.param('W1', [2, 2], { kind: 'zeros' });
    const w2 = b.param('W2', [2, 1], { kind: 'zeros' });
    const l1 = b.scope('lif1', () => lif(b, x.matmul(w1), detachReset));
    const l2 = b.scope('lif2', () => lif(b, l1.s.matmul(w2), detachReset));
    return { loss: l2.s.sum(), s1: l1.s, h1: l1.h, s2: l2.s, h2: l2.h };
  });
  const g64 = (shape: number[], values: readonly number[]) => tensor(shape, values, 'f32', 'f64');
  const out = evaluate(
    grad(forward, { of: 'loss', wrt: ['W1', 'W2'] }),
    { inputs: { x: g64([3, 1, 2], X.flat()) }, params: { W1: g64([2, 2], W1.flat()), W2: g64([2, 1], W2) } },
    { precision: 'f64' },
  ).outputs;
  const read = (name: string) => toArray(out[name]!);
  return { s1: read('s1'), h1: read('h1'), s2: read('s2'), h2: read('h2'), loss: read('loss')[0], dW1: read('grad/W1'), dW2: read('grad/W2') };
}

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThan(1e-9));
}

describe('BPTT through a 2-layer LIF network, derived by hand', () => {
  it.each([false, true])('the forward pass matches the hand table (detachReset %s)', (detachReset) => {
    const f = frameworkGradients(detachReset);
    expect(f.h1).toEqual(H1.flat());
    expect(f.s1).toEqual(S1.flat());
    expect(f.h2).toEqual([...H2]);
    expect(f.s2).toEqual([...S2]);
    expect(f.loss).toBe(1);
  });

  it.each([false, true])('dLoss/dW1 and dLoss/dW2 match the hand derivation (detachReset %s)', (detachReset) => {
    const hand = handGradients(detachReset);
    const f = frameworkGradients(detachReset);
    expectClose(f.dW2, hand.dW2);
    expectClose(f.dW1, hand.dW1.flat());
  });
});
