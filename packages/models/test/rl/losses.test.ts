import { describe, expect, it } from 'vitest';
import { valueAndGrad, gradName } from '@spikeflow/autodiff';
import { evaluate, GraphBuilder, toArray, type Graph } from '@spikeflow/core';
import { a2cLoss, doubleTdTargets, qReadoutModel, tdLoss, tdTargets } from '../../src/rl/index.js';
import { finiteDiff } from '../support/finite-difference.js';

const LOGITS = [1, 2, 0.5, -0.5];
const VALUES = [0.3, -0.2];

/** The A2C loss of a batch of 2 with logits and values as params (so autodiff can differentiate it). */
function a2cGraph(): Graph {
  const b = new GraphBuilder();
  const logits = b.param('logits', [2, 2], { kind: 'values', values: LOGITS });
  const values = b.param('values', [2], { kind: 'values', values: VALUES });
  const actions = b.constant([1, 0], [2], 'i32');
  const returns = b.constant([1.0, 0.1], [2]);
  const parts = a2cLoss(logits, values, actions, returns, { valueCoef: 0.5, entropyCoef: 0.01 });
  return b.finish({ loss: parts.loss, policy: parts.policy, value: parts.value, entropy: parts.entropy });
}

const run = (graph: Graph, logits: number[], values: number[]) => evaluate(graph, { params: { logits, values } }, { precision: 'f64' }).outputs;

describe('A2C loss', () => {
  it('matches the hand-worked value', () => {
    // Row 0: logits (1, 2), lse = 2 + ln(1 + e^−1) = 2.31326168752, log π = (−1.31326168752, −0.31326168752); a = 1.
    // Row 1: logits (0.5, −0.5), lse = 0.81326168752, log π = (−0.31326168752, −1.31326168752); a = 0.
    // Advantages R − V: 1.0 − 0.3 = 0.7, 0.1 + 0.2 = 0.3.
    // policy = −(−0.31326168752·0.7 − 0.31326168752·0.3)/2 = 0.15663084376
    // value = (0.7² + 0.3²)/2 = 0.29
    // entropy (both rows σ(1) = 0.26894142137 vs 0.73105857863) = 0.58220310889
    // loss = 0.15663084376 + 0.5·0.29 − 0.01·0.58220310889 = 0.29580881267
    const out = run(a2cGraph(), LOGITS, VALUES);
    expect(toArray(out.policy!)[0]).toBeCloseTo(0.15663084376, 10);
    expect(toArray(out.value!)[0]).toBeCloseTo(0.29, 12);
    expect(toArray(out.entropy!)[0]).toBeCloseTo(0.58220310889, 10);
    expect(toArray(out.loss!)[0]).toBeCloseTo(0.29580881267, 10);
  });

  it('has the gradient of its definition (advantage held constant) by finite differences', () => {
    const graph = a2cGraph();
    const g = evaluate(valueAndGrad(graph, { of: 'loss', wrt: ['logits', 'values'] }), { params: { logits: LOGITS, values: VALUES } }, { precision: 'f64' }).outputs;
    // The logits' gradient is the loss's own: the advantage does not depend on them.
    const numericLogits = finiteDiff((l) => toArray(run(graph, l, VALUES).loss!)[0]!, LOGITS);
    toArray(g[gradName('logits')]!).forEach((v, i) => expect(v).toBeCloseTo(numericLogits[i]!, 7));
    // The values' gradient is the critic's alone: d/dV of 0.5·mean((R − V)²) = −(R − V)/2 per row = (−0.35, −0.15);
    // finite differences of the value term alone agree.
    const numericValues = finiteDiff((v) => 0.5 * toArray(run(graph, LOGITS, v).value!)[0]!, VALUES);
    const analytic = toArray(g[gradName('values')]!);
    analytic.forEach((v, i) => expect(v).toBeCloseTo(numericValues[i]!, 7));
    expect(analytic[0]).toBeCloseTo(-0.35, 10);
    expect(analytic[1]).toBeCloseTo(-0.15, 10);
  });
});

describe('DQN TD loss', () => {
  it('computes targets and the Huber loss by hand, with the gradient by finite differences', () => {
    // Q = [[1, 3], [2, 0.5], [0, 0]], actions (1, 0, 1), rewards (1, 0, 1.5), dones (0, 0, 1), γ = 0.9,
    // next Q⁻ = [[2, 4], [−1, −3], [5, 5]]: targets 1 + 0.9·4 = 4.6, 0 + 0.9·(−1) = −0.9, 1.5 (terminal).
    // d = Q(s,a) − y = 3 − 4.6 = −1.6, 2 + 0.9 = 2.9, 0 − 1.5 = −1.5 (all past δ: no kink for the finite differences).
    // Huber δ = 1: 1.6 − 0.5 = 1.1, 2.9 − 0.5 = 2.4, 1.5 − 0.5 = 1.0; mean = 4.5/3 = 1.5.
    const Q = [1, 3, 2, 0.5, 0, 0];
    const build = (delta: number): Graph => {
      const b = new GraphBuilder();
      const q = b.param('q', [3, 2], { kind: 'values', values: Q });
      const y = tdTargets(b.constant([1, 0, 1.5], [3]), b.constant([0, 0, 1], [3]), b.constant([2, 4, -1, -3, 5, 5], [3, 2]), 0.9);
      return b.finish({ loss: tdLoss(q, b.constant([1, 0, 1], [3], 'i32'), y, delta), y });
    };
    const graph = build(1);
    const out = evaluate(graph, { params: { q: Q } }, { precision: 'f64' }).outputs;
    toArray(out.y!).forEach((v, i) => expect(v).toBeCloseTo([4.6, -0.9, 1.5][i]!, 12));
    expect(toArray(out.loss!)[0]).toBeCloseTo(1.5, 12);
    // Squared error (δ = ∞): (1.6² + 2.9² + 1.5²)/2/3 = (2.56 + 8.41 + 2.25)/6 = 2.20333...
    expect(toArray(evaluate(build(Infinity), { params: { q: Q } }, { precision: 'f64' }).outputs.loss!)[0]).toBeCloseTo(13.22 / 6, 12);
    const g = toArray(evaluate(valueAndGrad(graph, { of: 'loss', wrt: ['q'] }), { params: { q: Q } }, { precision: 'f64' }).outputs[gradName('q')]!);
    const numeric = finiteDiff((q) => toArray(evaluate(graph, { params: { q } }, { precision: 'f64' }).outputs.loss!)[0]!, Q);
    g.forEach((v, i) => expect(v).toBeCloseTo(numeric[i]!, 7));
    // By hand: clipped slopes (−1, +1, −1)/3 on the taken actions, 0 elsewhere.
    [0, -1 / 3, 1 / 3, 0, 0, -1 / 3].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 10));
  });
});

describe('Double DQN targets', () => {
  it('values the online argmax with the target network, by hand, and passes no gradient', () => {
    // Online next Q = [[1, 2], [3, 3], [0, -1]], target next Q = [[5, 4], [2, 6], [7, 9]],
    // rewards (1, 0, 0.5), dones (0, 0, 1), γ = 0.9. Row 0: online picks a = 1, target values it 4:
    // 1 + 3.6 = 4.6 (DQN's max would take 5: 5.5). Row 1: a tie, the mean of 2 and 6: 0 + 0.9·4 = 3.6.
    // Row 2: terminal, 0.5. Both Q tables are params, so a target without stopGradient would pass
    // the target network's gradient (it is linear in it).
    const ONLINE = [1, 2, 3, 3, 0, -1];
    const TARGET = [5, 4, 2, 6, 7, 9];
    const b = new GraphBuilder();
    const online = b.param('online', [3, 2], { kind: 'values', values: ONLINE });
    const target = b.param('target', [3, 2], { kind: 'values', values: TARGET });
    const y = doubleTdTargets(b.constant([1, 0, 0.5], [3]), b.constant([0, 0, 1], [3]), online, target, 0.9);
    const graph = b.finish({ y, total: y.sum() });
    const params = { online: ONLINE, target: TARGET };
    toArray(evaluate(graph, { params }, { precision: 'f64' }).outputs.y!).forEach((v, i) => expect(v).toBeCloseTo([4.6, 3.6, 0.5][i]!, 12));
    const grads = evaluate(valueAndGrad(graph, { of: 'total', wrt: ['online', 'target'] }), { params }, { precision: 'f64' }).outputs;
    for (const name of ['online', 'target']) toArray(grads[gradName(name)]!).forEach((v) => expect(v).toBe(0));
  });

  it('picks the next action from the next states with the online readout and its bias', () => {
    // A 1-feature, 2-action readout W = [[1, 2]], b = (0, 3), target copy W⁻ = [[5, 4]], b⁻ = (2, 0);
    // state s = −4 took action 0 with reward 1, next state s' = −1, not done, γ = 1, squared error.
    // Q(s) = (−4, −5), so Q(s, 0) = −4. Online at s': (−1, −2) + (0, 3) = (−1, 1): a* = 1. (At s, or
    // without the bias, a* would be 0.) Target at s': (−5, −4) + (2, 0) = (−3, −4).
    // DQN: y = 1 − 3 = −2, loss (−4 + 2)²/2 = 2. Double: y = 1 − 4 = −3, loss (−4 + 3)²/2 = 0.5.
    const feeds = { states: [-4], actions: new Int32Array([0]), rewards: [1], nextStates: [-1], dones: [0], 'target/w': [5, 4], 'target/b': [2, 0] };
    const params = { 'readout/w': [1, 2], 'readout/b': [0, 3] };
    const model = (double: boolean) => qReadoutModel({ batch: 1, features: 1, actions: 2, gamma: 1, huberDelta: Infinity, double });
    const loss = (double: boolean) => toArray(evaluate(model(double), { inputs: feeds, params }, { precision: 'f64' }).outputs.loss!)[0];
    expect(loss(false)).toBeCloseTo(2, 12);
    expect(loss(true)).toBeCloseTo(0.5, 12);
    // The gradient reaches the readout only through Q(s, a): Q − y = −1, so dW[0][0] = −1·s = 4, db[0] = −1.
    const g = evaluate(valueAndGrad(model(true), { of: 'loss', wrt: ['readout/w', 'readout/b'] }), { inputs: feeds, params }, { precision: 'f64' }).outputs;
    expect(toArray(g[gradName('readout/w')]!)).toEqual([4, 0]);
    expect(toArray(g[gradName('readout/b')]!)).toEqual([-1, 0]);
  });

  it('rejects next-state Q of different shapes, naming both', () => {
    const b = new GraphBuilder();
    expect(() => doubleTdTargets(b.constant([0], [1]), b.constant([0], [1]), b.constant([1, 2], [1, 2]), b.constant([1, 2, 3], [1, 3]), 0.9)).toThrow(/\[1, 2\], \[1, 3\]/);
  });
});
