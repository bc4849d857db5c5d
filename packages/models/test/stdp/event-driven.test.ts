import { evaluate, tensor, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { DIEHL_COOK, EventDrivenDiehlCook, denseSpikes, diehlCook, diehlCookGraph, poissonSpikeEvents, spikeEvents, type DiehlCookOptions } from '../../src/stdp/index.js';

// The event-driven simulator against the graph on the CPU interpreter (the definition): the same
// input spike trains give the same output spike trains, W and θ, presentation after presentation.

const INPUTS = 64;
const NEURONS = 6;
const STEPS = 70;
const PRESENTATIONS = 4;

/** Four different "digits": intensities in [0, 1] with a bright band that moves. */
const image = (digit: number) => Array.from({ length: INPUTS }, (_, i) => (Math.floor(i / 8) === 2 * digit || i % 8 === digit ? 1 : ((i * 37 + digit * 11) % 13) / 26));

const maxError = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

function compare(options: DiehlCookOptions): { spikes: number; wMoved: number } {
  const trainGraph = diehlCookGraph(options, 'train', { recordSpikes: true });
  const testGraph = diehlCookGraph(options, 'test', { recordSpikes: true });
  const start = EventDrivenDiehlCook.initialState(options, 7);
  // One weight above w_max after normalisation, so the first step's clip is exercised too.
  start.w[3] = 20;
  const sim = new EventDrivenDiehlCook(options, start);
  let state: Record<string, HostTensor> = { [DIEHL_COOK.weights]: tensor([INPUTS, NEURONS], start.w), [DIEHL_COOK.theta]: tensor([1, NEURONS], start.theta) };
  let seed = 11;
  let spikes = 0;
  for (let k = 0; k < PRESENTATIONS; k++) {
    const drawn = poissonSpikeEvents(image(k), STEPS, { maxRate: 300, dt: options.stdp.dt, seed });
    seed = drawn.seed;
    const graph = evaluate(trainGraph, { inputs: { [DIEHL_COOK.spikes]: tensor([STEPS, 1, INPUTS], denseSpikes(drawn.events)) }, state });
    state = { ...graph.state };
    const event = sim.present(drawn.events, 'train', true);
    expect(Array.from(event.spikeTrain!)).toEqual(Array.from(graph.outputs[DIEHL_COOK.spikeTrain]!.data));
    expect(maxError(sim.w, state[DIEHL_COOK.weights]!.data)).toBeLessThan(1e-5);
    expect(maxError(sim.theta, state[DIEHL_COOK.theta]!.data)).toBeLessThan(1e-5);
    spikes += event.counts.reduce((a, b) => a + b, 0);
  }
  // Frozen: the responses to fresh digits agree and neither W nor θ moves.
  for (let k = 0; k < 2; k++) {
    const drawn = poissonSpikeEvents(image(k), STEPS, { maxRate: 300, dt: options.stdp.dt, seed: 100 + k });
    const graph = evaluate(testGraph, { inputs: { [DIEHL_COOK.spikes]: tensor([STEPS, 1, INPUTS], denseSpikes(drawn.events)) }, state });
    const before = Float32Array.from(sim.w);
    const event = sim.present(drawn.events, 'test', true);
    expect(Array.from(event.spikeTrain!)).toEqual(Array.from(graph.outputs[DIEHL_COOK.spikeTrain]!.data));
    expect(Array.from(event.counts)).toEqual(Array.from(graph.outputs[DIEHL_COOK.counts]!.data));
    expect(Array.from(sim.w)).toEqual(Array.from(before));
  }
  return { spikes, wMoved: maxError(sim.w, start.w) };
}

const base = { inputs: INPUTS, neurons: NEURONS, steps: STEPS, weightTotal: 8, inputGain: 2.5, thetaPlus: 0.5, inhibition: 8, thresholdOffset: 5 } as const;

describe('event-driven Diehl & Cook simulator = the graph on the CPU interpreter', () => {
  const cases = [
    { name: 'triplet, additive (Diehl & Cook)', stdp: { etaPost: 0.05, etaPre: 0.002 } },
    { name: 'pair-based, additive', stdp: { tauPost2: null, etaPost: 0.05, etaPre: 0.002 } },
    { name: 'triplet, multiplicative μ = 1', stdp: { form: 'multiplicative', etaPost: 0.1, etaPre: 0.01 } },
    { name: 'pair-based, multiplicative μ = 2, all-to-all traces, dt 0.5 ms', stdp: { tauPost2: null, form: 'multiplicative', mu: 2, traceUpdate: 'add', dt: 0.5, etaPost: 0.1, etaPre: 0.01 } },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: identical spike trains, W and θ within 1e−5 over ${PRESENTATIONS} learning presentations, identical test responses`, () => {
      const { spikes, wMoved } = compare(diehlCook({ ...base, stdp: c.stdp }));
      expect(spikes).toBeGreaterThan(10 * PRESENTATIONS); // the network did fire, so STDP and θ acted
      expect(wMoved).toBeGreaterThan(1e-2);
    });
  }

  it('with the per-step winner-take-all, a refractory period and no inhibition', () => {
    const { spikes } = compare(diehlCook({ ...base, winnerTakeAll: true, inhibition: 0, refractory: 3 }));
    expect(spikes).toBeGreaterThan(10 * PRESENTATIONS);
  });

  it('spike events round-trip the dense layout; Poisson events fire at the stated rate', () => {
    const dense = Array.from({ length: 5 * 4 }, (_, k) => ((k * 7) % 3 === 0 ? 1 : 0));
    expect(Array.from(denseSpikes(spikeEvents(dense, 5, 4)))).toEqual(dense);
    // p = 0.5 · 200 Hz · 1 ms = 0.1 per step; over 20,000 steps the count's sd is ≈ 42.
    const { events } = poissonSpikeEvents([0.5, 0, 1], 20_000, { maxRate: 200, dt: 1, seed: 3 });
    const perInput = [0, 0, 0];
    for (const i of events.indices) perInput[i]! += 1;
    expect(Math.abs(perInput[0]! - 2000)).toBeLessThan(200);
    expect(perInput[1]).toBe(0);
    expect(Math.abs(perInput[2]! - 4000)).toBeLessThan(300);
  });
});
