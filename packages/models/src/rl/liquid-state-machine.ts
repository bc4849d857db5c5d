import { GraphBuilder, type Graph, type Tensor } from '@spikeflow/core';
import { lif, lifStep } from '../layers/lif.js';
import { observationSpikes, type ObservationSpikesOptions } from './observation-spikes.js';
import type { ReservoirWeights } from './reservoir.js';

export interface LiquidStateMachineOptions {
  /** Environments stepped together (rows of the observation batch). */
  readonly batch: number;
  /** Observation length D. */
  readonly observations: number;
  readonly actions: number;
  /** How observations become spikes; `steps` is the number of reservoir steps per environment step. */
  readonly encoding: Omit<ObservationSpikesOptions, 'counter'>;
  readonly weights: ReservoirWeights;
  /** Membrane time constant in reservoir steps (LIF without input decay: v ← (1 − 1/τ)·v + I). */
  readonly tau: number;
}

/** The names of the LSM graph's interface. */
export const LSM = {
  observation: 'observation',
  fresh: 'fresh',
  counter: 'randomStep',
  inputWeights: 'lsm/wIn',
  recurrentWeights: 'lsm/wRec',
  membrane: 'lsm/v',
  spikes: 'lsm/s',
  readoutW: 'readout/w',
  readoutB: 'readout/b',
  features: 'features',
  q: 'q',
} as const;

/**
 * One environment step of a liquid state machine with a linear Q readout, as ONE graph: the
 * observation [B, D] becomes spikes [T, B, D·n] (`observationSpikes`), a scan of T steps runs the
 * recurrent LIF reservoir (I_t = x_t·W_in + s_{t−1}·W_rec, hard reset to 0 at threshold 1), and
 * the spike counts over the T steps divided by T are the `features` [B, N]; `q` = features·W + b.
 * The reservoir's weights are params fixed by their `values` initializers; its membrane and last
 * spikes are state, so the liquid keeps a fading memory across environment steps; the input
 * `fresh` [B] (1 for a row whose environment starts a new episode, else 0) zeroes that row's state
 * first, so environments stepped side by side restart independently (`resetState` restarts all).
 * The readout's params are set from outside (`setParams`) each time the learner has updated them.
 * `randomStep` (u32) keys the input spikes; feed a new value per call.
 */
export function liquidStateMachineGraph(options: LiquidStateMachineOptions): Graph {
  const { batch, observations, actions, encoding, weights, tau } = options;
  const neurons = weights.excitatory.length;
  const inputs = weights.input.length / neurons;
  const b = new GraphBuilder();
  const observation = b.input(LSM.observation, [batch, observations]);
  const fresh = b.input(LSM.fresh, [batch]);
  const counter = b.input(LSM.counter, [], 'u32');
  const wIn = b.param(LSM.inputWeights, [inputs, neurons], { kind: 'values', values: Array.from(weights.input) });
  const wRec = b.param(LSM.recurrentWeights, [neurons, neurons], { kind: 'values', values: Array.from(weights.recurrent) });
  const v0 = b.state(LSM.membrane, [batch, neurons]);
  const s0 = b.state(LSM.spikes, [batch, neurons]);
  const keep = fresh.mul(-1).add(1).reshape([batch, 1]);
  const spikes = b.scope('encode', () => observationSpikes(b, observation, { ...encoding, counter }));
  const neuron = lif({ tau, decayInput: false });
  const run = b.scope('reservoir', () =>
    b.scan({
      carries: [v0.mul(keep), s0.mul(keep), b.constant(0).broadcastTo([batch, neurons])],
      sequences: [spikes],
      consts: [wIn, wRec],
      body: (_, [v, s, count], [x], [win, wrec]) => {
        const current = x!.matmul(win!).add(s!.matmul(wrec!));
        const next = lifStep(v!, current, neuron);
        return { carries: [next.v, next.s, count!.add(next.s)] };
      },
    }),
  );
  const [v, s, count] = run.carries as [Tensor, Tensor, Tensor];
  b.setState(v0, v);
  b.setState(s0, s);
  const features = count.div(encoding.steps);
  const q = b.scope('readout', () => features.matmul(b.param('w', [neurons, actions], { kind: 'zeros' })).add(b.param('b', [actions], { kind: 'zeros' })));
  return b.finish({ [LSM.features]: features, [LSM.q]: q });
}
