import { z } from 'zod';
import { GraphBuilder, type Graph, type Tensor } from '@spikeflow/core';
import { checkSpec } from '../spec/validate-spec.js';
import { stdpSchema } from './rule.js';
import { initialStdpTraces, normalizeInputWeights, readStdpTraceCarries, stdpStep, stdpTraceCarries } from './synapse.js';

/**
 * The network of Diehl & Cook 2015 ("Unsupervised learning of digit recognition using
 * spike-timing-dependent plasticity"), current-based: Poisson input spikes → one layer of
 * excitatory LIF neurons with adaptive thresholds θ and lateral inhibition, STDP on the input
 * synapses. One call of the graph is one presentation of one digit: the membranes, refractory
 * timers and traces start at rest (a state reset in place of the paper's 150 ms rest), while the
 * weights W and thresholds θ are graph state carried from call to call.
 */
export const diehlCookSchema = z.strictObject({
  inputs: z.number().int().positive().default(784),
  neurons: z.number().int().positive().default(100),
  /** Time steps per presentation (dt each). */
  steps: z.number().int().positive().default(350),
  /** Resting, reset and threshold potentials (mV). */
  vRest: z.number().finite().default(-65),
  vReset: z.number().finite().default(-65),
  vThreshold: z.number().finite().default(-52),
  /** Subtracted from the threshold while learning (Diehl & Cook's code: 20 mV), so untrained neurons fire. */
  thresholdOffset: z.number().gte(0).finite().default(20),
  /** Membrane time constant (ms). */
  tauMembrane: z.number().gt(0).finite().default(100),
  /** Refractory period (ms): no input is integrated and no spike fires. */
  refractory: z.number().gte(0).finite().default(5),
  /** mV added to v per unit weight of an input spike. */
  inputGain: z.number().gt(0).finite().default(1),
  /** mV subtracted from every other excitatory neuron, the step after one spikes (direct lateral inhibition). */
  inhibition: z.number().gte(0).finite().default(17),
  /**
   * Of the neurons crossing threshold in the same step only the one with the largest margin fires.
   * Inhibition acts from the next step, so without this, neurons that cross together all fire.
   */
  winnerTakeAll: z.boolean().default(false),
  /** v is not driven below this (the inhibitory reversal potential of the paper's conductances). */
  vFloor: z.number().finite().default(-100),
  /** θ rises by thetaPlus at each spike (mV) and decays with tauTheta (ms) while learning. */
  thetaPlus: z.number().gte(0).finite().default(0.05),
  tauTheta: z.number().gt(0).default(1e7),
  /** ms between presentations, over which θ decays too (the membranes are reset instead). */
  rest: z.number().gte(0).finite().default(150),
  /** The sum each neuron's input weights is held at, before every presentation; null: no normalisation. */
  weightTotal: z.number().gt(0).finite().nullable().default(78),
  /** W starts uniform in [0, wInit). */
  wInit: z.number().gt(0).finite().default(0.3),
  stdp: stdpSchema.prefault({}),
});

export type DiehlCookOptions = Readonly<z.output<typeof diehlCookSchema>>;

export function diehlCook(options: Partial<Omit<DiehlCookOptions, 'stdp'>> & { readonly stdp?: Partial<DiehlCookOptions['stdp']> } = {}): DiehlCookOptions {
  return checkSpec(diehlCookSchema, { ...options, stdp: options.stdp ?? {} }, 'diehlCook');
}

/**
 * 'train': STDP and θ's growth are on and the graph's state W and θ advance with each call.
 * 'test': the same dynamics with W and θ frozen (and the threshold offset off), as the paper scores.
 */
export type DiehlCookMode = 'train' | 'test';

/** Names of the graph's interface. */
export const DIEHL_COOK = { spikes: 'spikes', weights: 'w', theta: 'theta', counts: 'counts', spikeTrain: 'spikeTrain' } as const;

interface Step {
  v: Tensor;
  refractory: Tensor;
  lastSpikes: Tensor;
  theta: Tensor;
  counts: Tensor;
}

/**
 * The graph of one presentation: input `spikes` [steps, 1, inputs] (0/1); state `w` [inputs,
 * neurons] and `theta` [1, neurons]; output `counts` [1, neurons], each neuron's spikes, and with
 * `recordSpikes` also `spikeTrain` [steps, 1, neurons] (which neurons fired at each step).
 * This graph is the definition of the network (and what runs on WebGPU); event-driven.ts is a
 * faster CPU simulator of the same equations, tested against it.
 */
export function diehlCookGraph(options: DiehlCookOptions, mode: DiehlCookMode, record: { readonly recordSpikes?: boolean } = {}): Graph {
  const o = options;
  const learn = mode === 'train';
  const b = new GraphBuilder();
  const spikes = b.input(DIEHL_COOK.spikes, [o.steps, 1, o.inputs]);
  const w = b.state(DIEHL_COOK.weights, [o.inputs, o.neurons], { kind: 'uniform', low: 0, high: o.wInit });
  const theta = b.state(DIEHL_COOK.theta, [1, o.neurons]);
  const w0 = learn && o.weightTotal !== null ? normalizeInputWeights(w, o.weightTotal) : w;
  const leak = Math.exp(-o.stdp.dt / o.tauMembrane);
  const threshold = o.vThreshold - (learn ? o.thresholdOffset : 0);
  const zeros = () => b.constant(0, [1, o.neurons]);
  const start: Step = { v: b.constant(o.vRest, [1, o.neurons]), refractory: zeros(), lastSpikes: zeros(), theta, counts: zeros() };
  const traces0 = learn ? stdpTraceCarries(initialStdpTraces(b, o.stdp, 1, o.inputs, o.neurons)) : [];
  const { carries, outputs } = b.scan({
    carries: [start.v, start.refractory, start.lastSpikes, start.theta, start.counts, w0, ...traces0],
    sequences: [spikes],
    body: (bb, [v, refractory, lastSpikes, th, counts, wt, ...traceCarries], [pre]) => {
      const active = refractory!.lessEqual(0).cast('f32');
      const drive = pre!.matmul(wt!).mul(o.inputGain).mul(active);
      const inhibited = lastSpikes!.sum(1, true).sub(lastSpikes!).mul(o.inhibition);
      const charged = v!.sub(o.vRest).mul(leak).add(o.vRest).add(drive).sub(inhibited).maximum(o.vFloor);
      const margin = charged.sub(th!.add(threshold));
      const crossing = margin.spike().mul(active);
      const fired = o.winnerTakeAll ? crossing.mul(margin.greaterEqual(margin.sub(crossing.neg().add(1).mul(1e9)).max(1, true)).cast('f32')) : crossing;
      const next: Step = {
        v: bb.where(fired.greater(0), o.vReset, charged),
        refractory: bb.where(fired.greater(0), o.refractory, refractory!.sub(o.stdp.dt).maximum(0)),
        lastSpikes: fired,
        theta: learn ? th!.add(fired.mul(o.thetaPlus)) : th!,
        counts: counts!.add(fired),
      };
      const carried = [next.v, next.refractory, next.lastSpikes, next.theta, next.counts];
      const recorded = record.recordSpikes ? [fired] : [];
      if (!learn) return { carries: [...carried, wt!], outputs: recorded };
      const { traces } = readStdpTraceCarries(o.stdp, traceCarries);
      const learned = stdpStep(bb, o.stdp, wt!, traces, pre!, fired);
      return { carries: [...carried, learned.w, ...stdpTraceCarries(learned.traces)], outputs: recorded };
    },
  });
  if (learn) {
    // θ's decay over the presentation and the rest after it, once: per step it is below f32's resolution.
    b.setState(theta, carries[3]!.mul(Math.exp(-(o.steps * o.stdp.dt + o.rest) / o.tauTheta)));
    b.setState(w, carries[5]!);
  }
  return b.finish({ [DIEHL_COOK.counts]: carries[4]!, ...(record.recordSpikes ? { [DIEHL_COOK.spikeTrain]: outputs[0]! } : {}) });
}
