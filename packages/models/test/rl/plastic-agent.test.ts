import { describe, expect, it } from 'vitest';
import { gradName, valueAndGrad } from '@spikeflow/autodiff';
import { cpuBackend, evaluate, GraphBuilder, initParams, toArray, type Graph, type HostTensor } from '@spikeflow/core';
import { TANH_UNIT } from '../../src/plasticity/index.js';
import { episodeReturns, plasticAgentActGraph, plasticAgentLossGraph, plasticAgentTrainedParams, runPlasticAgent, type EpisodeBatch, type PlasticAgentOptions } from '../../src/rl/index.js';
import { finiteDiff } from '../support/finite-difference.js';

/** Two LIF units (τ = 4, no input decay, threshold 1, hard reset), one constant input, untraced spikes, |Hebb| ≤ 0.4. */
const TINY: PlasticAgentOptions = { observations: 1, actions: 2, hidden: 2, plasticity: 'neuromodulated', clip: 0.4, traceDecay: null };

const TINY_PARAMS: Record<string, number[]> = {
  'rec/w_in': [2, 1.5],
  'rec/b': [0, 0],
  'rec/w': [0, 0, 0, 0],
  'rec/alpha': [0.5, -2, 0, 0], // α[pre][post]: only synapses leaving unit 0 are plastic
  'rec/modulator/w': [1, 1],
  'rec/modulator/b': [-1.5],
  'policy/w': [1, 0, 0, 1],
  'policy/b': [0, 0],
  'value/w': [1, 1],
  'value/b': [0],
};

describe('the neuromodulated plastic SNN agent', () => {
  it('updates Hebb by M(t) · pre ⊗ post, clipped, with M(t) its own output: hand-worked over 4 steps', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [4, 1, 1]);
    const run = runPlasticAgent(b, x, TINY);
    // Carries of an untraced LIF layer: membrane, last spikes, Hebb.
    const graph = b.finish({ spikes: run.hidden, modulation: run.modulation!, hebb: run.carries[2]! });
    const out = evaluate(graph, { inputs: { x: [1, 1, 1, 1] }, params: TINY_PARAMS }, { precision: 'f64' }).outputs;
    const m = Math.tanh(0.5);
    // t1: I = (2, 1.5), both fire (reset to 0), M = tanh(1 + 1 − 1.5); Hebb = M·0 ⊗ s1 = 0 (no earlier spikes).
    // t2: Hebb still 0 in the drive, both fire again; Hebb = clip(M·s1 ⊗ s2 = 0.462 everywhere, ±0.4) = 0.4.
    // t3: s2·(α ⊙ Hebb) = (0.5·0.4, −2·0.4) = (0.2, −0.8): I = (2.2, 0.7); only unit 0 fires (unit 1 keeps 0.7),
    //     M = tanh(1 − 1.5) = −m; Hebb += −m·s2 ⊗ (1, 0): column 0 becomes 0.4 − m = −0.0621.
    // t4: s3·(α ⊙ Hebb) = (0.5·(0.4 − m), −2·0.4): I = (2 − 0.0311, 0.7), unit 1 reaches 0.75·0.7 + 0.7 = 1.225:
    //     both fire, M = m; Hebb += m·(1, 0) ⊗ (1, 1): row 0 = (0.4 − m + m, clip(0.4 + m)) = (0.4, 0.4).
    expect(toArray(out.spikes!)).toEqual([1, 1, 1, 1, 1, 0, 1, 1]);
    toArray(out.modulation!).forEach((v, i) => expect(v).toBeCloseTo([m, m, -m, m][i]!, 12));
    toArray(out.hebb!).forEach((v, i) => expect(v).toBeCloseTo([0.4, 0.4, 0.4 - m, 0.4][i]!, 12));
  });

  it('acting one step at a time (state carried, reset by `fresh`) gives the logits and values of the whole-episode replay', async () => {
    const options: PlasticAgentOptions = { observations: 3, actions: 4, hidden: 6, plasticity: 'neuromodulated' };
    const [batch, steps] = [2, 5];
    const loss = plasticAgentLossGraph(options, batch, steps);
    const params = initParams(loss, { seed: 4 });
    const act = await cpuBackend().compile(plasticAgentActGraph(options, batch), { seed: 9 });
    act.setParams(params);
    const observations = Float32Array.from({ length: steps * batch * 3 }, (_, i) => Math.sin(1.7 * i) * 1.5 + 0.5);
    const replay = evaluate(loss, { inputs: { observations, actions: new Int32Array(steps * batch), returns: new Float32Array(steps * batch) }, params }).outputs;
    // Two episodes in a row: the second starts fresh, so it must match the replay too.
    for (let episode = 0; episode < 2; episode++) {
      for (let t = 0; t < steps; t++) {
        const out = await act.run({ observation: observations.subarray(t * batch * 3, (t + 1) * batch * 3), fresh: [t === 0 ? 1 : 0, t === 0 ? 1 : 0] });
        toArray(out.logits!).forEach((v, i) => expect(v).toBeCloseTo(toArray(replay.logits!)[t * batch * 4 + i]!, 5));
        toArray(out.value!).forEach((v, i) => expect(v).toBeCloseTo(toArray(replay.value!)[t * batch + i]!, 5));
      }
    }
    act.destroy();
  });

  it('trains the control without its plasticity params, and with α at zero', () => {
    const off: PlasticAgentOptions = { observations: 3, actions: 4, hidden: 4, plasticity: 'off' };
    const graph = plasticAgentLossGraph(off, 1, 2);
    const trained = plasticAgentTrainedParams(graph, off);
    expect(trained).not.toContain('rec/alpha');
    expect(trained).toContain('rec/w');
    expect(toArray(initParams(graph, { seed: 1 })['rec/alpha']!).every((v) => v === 0)).toBe(true);
    expect(plasticAgentTrainedParams(plasticAgentLossGraph({ ...off, plasticity: 'neuromodulated' }, 1, 2), { ...off, plasticity: 'neuromodulated' })).toContain('rec/modulator/w');
  });

  it('computes the discounted return of each episode of a batch, time-major', () => {
    // Two episodes of 3 steps: rewards (0, 10, 0) and (10, 0, 10), γ = 0.5.
    const episodes = { steps: 3, batch: 2, rewards: Float32Array.of(0, 10, 10, 0, 0, 10) } as unknown as EpisodeBatch;
    expect(Array.from(episodeReturns(episodes, 0.5))).toEqual([5, 12.5, 10, 5, 0, 10]);
  });
});

describe('gradients through the plastic updates (tanh units, f64) against finite differences', () => {
  /** A smooth scalar of every step's logits and values, so the check has no stopGradient in it. */
  function scalarGraph(options: PlasticAgentOptions): Graph {
    const b = new GraphBuilder();
    const x = b.input('x', [3, 2, 2]);
    const run = runPlasticAgent(b, x, options);
    const weights = b.constant(Array.from({ length: 6 * 2 }, (_, i) => Math.cos(i)), [6, 2]);
    return b.finish({ loss: run.logits.mul(weights).sum().add(run.values.mul(run.values).sum()) });
  }
  const x = Array.from({ length: 12 }, (_, i) => Math.sin(0.9 * i + 0.3));

  for (const plasticity of ['neuromodulated', 'fixed'] as const) {
    it(`matches central differences for every param (${plasticity} η)`, () => {
      // A clip bound out of reach keeps the update smooth; α is drawn wide so Hebb shapes the output.
      const options: PlasticAgentOptions = { observations: 2, actions: 2, hidden: 3, plasticity, unit: TANH_UNIT, clip: 50, traceDecay: 0.3, eta: 0.4, alphaInit: 1 };
      const graph = scalarGraph(options);
      const params = initParams(graph, { seed: 2, precision: 'f64' });
      const names = Object.keys(params);
      const grads = evaluate(valueAndGrad(graph, { of: 'loss', wrt: names }), { inputs: { x }, params }, { precision: 'f64' }).outputs;
      for (const name of names) {
        const at = (values: number[]) => {
          const fed: Record<string, HostTensor | number[]> = { ...params, [name]: values };
          return toArray(evaluate(graph, { inputs: { x }, params: fed }, { precision: 'f64' }).outputs.loss!)[0]!;
        };
        const numeric = finiteDiff(at, toArray(params[name]!));
        const analytic = toArray(grads[gradName(name)]!);
        analytic.forEach((v, i) => expect(v, `${name}[${i}]`).toBeCloseTo(numeric[i]!, 6));
      }
      // The plastic pathway carries gradient: α's is not zero.
      expect(toArray(grads[gradName('rec/alpha')]!).some((v) => Math.abs(v) > 1e-4)).toBe(true);
    });
  }
});

