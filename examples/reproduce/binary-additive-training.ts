import type { TrainBackend } from '@spikeflow/core';
import { binaryAdditive, lifNeuron, rateNeuron, type BinaryAdditiveBatch, type OnlineNetworkOptions } from '@spikeflow/models';
import { episodeSeeds } from './episode-seeds.js';
import { withTrainedNetwork, type OnlineBudget, type OnlineLearning, type ValidationPoint } from './online-network-training.js';

/**
 * The binary additive task (lags 5 and 9) learned by one network per learning rule: a tanh rate RNN
 * trained online by RFLO (fixed random feedback) or by BPTT, and an LIF RSNN trained online by
 * e-prop (symmetric feedback); the rate RNN with its readout alone trained is the control. Trained
 * by `withTrainedNetwork`: the params of the best validation epoch are scored on held-out episodes,
 * by the cross-entropy per scored step, against the task's floors (0.662 knowing nothing, 0.519
 * knowing x_{t−5}, 0.455 knowing both lags).
 */

/**
 * `eprop`: the LIF RSNN; `eprop-rate`: e-prop on the rate RNN (symmetric feedback; on this unit its
 * trace is RFLO's, so it is RFLO with B = W_out). `readout`: the rate RNN with only W_out and b
 * trained (their exact gradient, the delta rule): the control for what the hidden updates add.
 */
export type Learner = 'rflo' | 'eprop' | 'eprop-rate' | 'bptt' | 'readout';

export interface BinaryAdditiveRun extends OnlineBudget {
  readonly learner: Learner;
  /** T, the episode length. */
  readonly steps: number;
  readonly hidden: number;
  readonly batch: number;
  /** The rate unit's leak α (rate networks): r_t = (1 − α) r_{t−1} + α tanh(u_t). */
  readonly alpha: number;
  /** W_rec ~ N(0, recurrentScale²/N) (rate networks): its spectral radius is about recurrentScale. */
  readonly recurrentScale: number;
  /** Batches of the validation split, scored at each epoch. */
  readonly validationBatches: number;
  /** Batches of the held-out test split, scored once with the chosen params. */
  readonly testBatches: number;
  readonly seed: number;
}

export interface BinaryAdditiveOutcome {
  readonly initialLoss: number;
  readonly heldOutLoss: number;
  /** The optimizer steps of the epoch whose params were scored. */
  readonly chosenSteps: number;
  readonly curve: readonly ValidationPoint[];
  readonly trainSeconds: number;
  /** The network, in words, for the results file. */
  readonly network: string;
}

/**
 * The e-prop RSNN's LIF (soft reset, detached as e-prop does): τ = 2 steps and strong input and
 * recurrent weights, the best of a few settings for a readout on the untrained network.
 */
const LIF = { tau: 2, vThreshold: 0.5, vReset: null, detachReset: true } as const;

/**
 * Training, validation and test episodes come from disjoint task seeds (episodeSeeds). The held-out
 * episodes start at base + 3·2^30, not at episodeSeeds' test base: the episodes there were scored
 * while this experiment's budgets were being chosen, so they are no longer held out.
 */
const splits = (seed: number) => ({ ...episodeSeeds(seed), test: seed * 2 ** 32 + 3 * 2 ** 30 });

function networkFor(run: BinaryAdditiveRun, inputs: number, outputs: number): { network: OnlineNetworkOptions; description: string } {
  const sizes = { inputs, hidden: run.hidden, outputs, steps: run.steps, batch: run.batch };
  if (run.learner === 'eprop') {
    return {
      network: { ...sizes, neuron: lifNeuron, neuronAttrs: LIF, inputScale: 3, recurrentScale: 3, rateRegularization: { target: 0.1, weight: 0.1 } },
      description: `${run.hidden} LIF (tau ${LIF.tau}, threshold ${LIF.vThreshold}, soft reset; input and recurrent weights N(0, 9/fan-in)), readout without leak, firing-rate term 0.1 toward 0.1`,
    };
  }
  return {
    network: { ...sizes, neuron: rateNeuron, neuronAttrs: { alpha: run.alpha }, recurrentScale: run.recurrentScale },
    description: `${run.hidden} tanh rate units (alpha ${run.alpha}, recurrent weights N(0, ${run.recurrentScale ** 2}/N)), linear readout`,
  };
}

function learningOf(run: BinaryAdditiveRun): OnlineLearning {
  if (run.learner === 'rflo') return { kind: 'rflo', feedback: { kind: 'random', seed: run.seed } };
  if (run.learner === 'eprop' || run.learner === 'eprop-rate') return { kind: 'eprop', feedback: { kind: 'symmetric' } };
  return { kind: run.learner };
}

export async function trainBinaryAdditive(backend: TrainBackend, run: BinaryAdditiveRun, log: (line: string) => void): Promise<BinaryAdditiveOutcome> {
  const task = binaryAdditive({ steps: run.steps, lag1: 5, lag2: 9 });
  const { network, description } = networkFor(run, task.info.inputSize, task.info.outputSize);
  const seeds = splits(run.seed);
  const feeds = (batch: BinaryAdditiveBatch) => ({ x: batch.inputs.x!, targets: batch.targets, mask: batch.mask });
  const split = (base: number, first: number, count: number) => Array.from({ length: count }, (_, k) => feeds(task.batch(run.batch, base + first + k)));
  const spec = {
    backend,
    network,
    learning: learningOf(run),
    budget: run,
    seed: run.seed,
    trainBatches: (first: number, count: number) => split(seeds.train, first, count),
    validation: split(seeds.validation, 0, run.validationBatches),
    accuracy: false,
    log: (line: string) => log(`${run.learner}: ${line}`),
  };
  return withTrainedNetwork(spec, async ({ trainer, chosen, initial, curve, trainSeconds }) => {
    const test = await trainer.evaluate(split(seeds.test, 0, run.testBatches), chosen.params);
    return { initialLoss: initial.validationLoss, heldOutLoss: test.loss, chosenSteps: chosen.steps, curve, trainSeconds, network: description };
  });
}
