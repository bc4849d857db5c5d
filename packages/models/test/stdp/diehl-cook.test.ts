import { evaluate, tensor, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { DIEHL_COOK, diehlCook, diehlCookGraph, poissonSpikes, type DiehlCookOptions } from '../../src/stdp/index.js';

const INPUTS = 16;
/** A fixed pseudo-random number in [0, 1) for index k. */
const hash = (k: number) => {
  const x = Math.sin(k + 1) * 43758.5453;
  return x - Math.floor(x);
};
const STEPS = 60;
/** Every input fires every 3rd step: the same drive every presentation. */
const REGULAR = tensor([STEPS, 1, INPUTS], Array.from({ length: STEPS * INPUTS }, (_, k) => (Math.floor(k / INPUTS) % 3 === 0 ? 1 : 0)));

function present(options: DiehlCookOptions, mode: 'train' | 'test', spikes: HostTensor, state: Record<string, HostTensor>): { counts: number[]; state: Record<string, HostTensor> } {
  const r = evaluate(diehlCookGraph(options, mode), { inputs: { [DIEHL_COOK.spikes]: spikes }, state });
  return { counts: Array.from(r.outputs[DIEHL_COOK.counts]!.data), state: { ...r.state } };
}

describe('Diehl & Cook network: homeostasis and inhibition, each on its own', () => {
  it('a neuron that wins too often is slowed: its θ rises and its share of the spikes falls', () => {
    // No STDP and no normalisation: only θ changes. Neuron 0's weights are 25% stronger, so it wins first.
    const options = diehlCook({ inputs: INPUTS, neurons: 2, steps: STEPS, inhibition: 100, thetaPlus: 1, thresholdOffset: 0, weightTotal: null, stdp: { etaPre: 0, etaPost: 0 } });
    const w = tensor([INPUTS, 2], Array.from({ length: INPUTS * 2 }, (_, k) => (k % 2 === 0 ? 1 : 0.8)));
    let state: Record<string, HostTensor> = { [DIEHL_COOK.weights]: w, [DIEHL_COOK.theta]: tensor([1, 2], [0, 0]) };
    const shares: number[] = [];
    for (let k = 0; k < 12; k++) {
      const r = present(options, 'train', REGULAR, state);
      state = r.state;
      shares.push(r.counts[0]! / (r.counts[0]! + r.counts[1]!));
    }
    const theta = Array.from(state[DIEHL_COOK.theta]!.data);
    expect(shares[0]).toBe(1); // at first the stronger neuron takes every spike
    expect(theta[0]).toBeGreaterThan(theta[1]!);
    expect(shares[shares.length - 1]).toBeLessThan(0.8);
    expect(Array.from(state[DIEHL_COOK.weights]!.data)).toEqual(Array.from(w.data)); // W untouched: the share moved by θ alone
    // θ frozen at test time: a test presentation leaves it as it was.
    expect(Array.from(present(options, 'test', REGULAR, state).state[DIEHL_COOK.theta]!.data)).toEqual(theta);
  });

  it('strong lateral inhibition (with ties in a step broken) leaves one winner per presentation; without it several neurons fire', () => {
    const winners = (inhibition: number, winnerTakeAll: boolean) => {
      const options = diehlCook({ inputs: 64, neurons: 8, steps: 100, inhibition, winnerTakeAll });
      const w = tensor([64, 8], Array.from({ length: 64 * 8 }, (_, k) => 0.1 + 0.3 * hash(k)));
      return [0, 1, 2, 3].map((digit) => {
        const intensities = Array.from({ length: 64 }, (_, i) => hash(1000 * digit + i));
        const spikes = poissonSpikes(intensities, 100, { maxRate: 200, dt: 1, seed: 17 + digit }).spikes;
        const r = present(options, 'test', tensor([100, 1, 64], spikes), { [DIEHL_COOK.weights]: w, [DIEHL_COOK.theta]: tensor([1, 8], new Float32Array(8)) });
        return r.counts.filter((c) => c > 0).length;
      });
    };
    expect(winners(100, true)).toEqual([1, 1, 1, 1]);
    // Without inhibition the same inputs make several neurons fire, with or without the per-step tie-break.
    expect(Math.min(...winners(0, true))).toBeGreaterThan(1);
    expect(Math.min(...winners(0, false))).toBeGreaterThan(1);
  });
});
