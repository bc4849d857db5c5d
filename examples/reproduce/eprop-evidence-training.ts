/**
 * Evidence accumulation (the e-prop paper's Figure 3 task) with one ALIF layer, trained by e-prop or
 * by BPTT (withTrainedNetwork); the params of the best validation epoch are tested on episodes of
 * a third, disjoint seed range.
 */
import type { TrainBackend } from '@spikeflow/core';
import { alifNeuron, evidenceAccumulation, type OnlineNetworkOptions } from '@spikeflow/models';
import { withTrainedNetwork, type OnlineBudget, type OnlineLearning, type ValidationPoint } from './online-network-training.js';

export interface EvidenceRun extends OnlineBudget {
  readonly hidden: number;
  readonly batch: number;
  readonly validationBatches: number;
  readonly testBatches: number;
  readonly seed: number;
}

export interface EvidenceOutcome {
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly testEpisodes: number;
  /** The optimizer steps of the epoch whose params were tested (chosen on validation). */
  readonly chosenSteps: number;
  readonly initial: { readonly validationLoss: number; readonly validationAccuracy?: number };
  readonly curve: readonly ValidationPoint[];
  readonly trainSeconds: number;
}

/** The network: ALIF (LSNN-like threshold adaptation) with a leaky readout and a firing-rate term, as the e-prop paper's. */
export function evidenceNetworkOptions(run: Pick<EvidenceRun, 'hidden' | 'batch'>): OnlineNetworkOptions {
  const { steps, inputSize, outputSize } = evidenceAccumulation().info;
  return {
    neuron: alifNeuron,
    neuronAttrs: { tauM: 10, tauA: 60, beta: 1, b0: 0.3, nRef: 2 },
    inputs: inputSize,
    hidden: run.hidden,
    outputs: outputSize,
    steps,
    batch: run.batch,
    readoutDecay: Math.exp(-1 / 10),
    inputScale: 3,
    rateRegularization: { target: 0.05, weight: 0.1 },
  };
}

/** Training, validation and test episodes come from disjoint seed ranges of the run's seed. */
const SEEDS_PER_RUN = 1_000_000;
const VALIDATION_OFFSET = 800_000;
const TEST_OFFSET = 900_000;

export async function trainEvidence(backend: TrainBackend, run: EvidenceRun, learning: OnlineLearning, log: (line: string) => void): Promise<EvidenceOutcome> {
  const task = evidenceAccumulation();
  const batchAt = (seed: number) => {
    const t = task.batch(run.batch, seed);
    return { x: t.inputs.x!, targets: t.targets, mask: t.mask, labels: t.labels! };
  };
  const range = (offset: number, count: number) => Array.from({ length: count }, (_, k) => batchAt(run.seed * SEEDS_PER_RUN + offset + k));
  const spec = { backend, network: evidenceNetworkOptions(run), learning, budget: run, seed: run.seed, trainBatches: range, validation: range(VALIDATION_OFFSET, run.validationBatches), accuracy: true, log };
  return withTrainedNetwork(spec, async ({ trainer, chosen, initial, curve, trainSeconds }) => {
    const test = await trainer.evaluate(range(TEST_OFFSET, run.testBatches), chosen.params);
    return { testAccuracy: test.accuracy!, testLoss: test.loss, testEpisodes: run.testBatches * run.batch, chosenSteps: chosen.steps, initial, curve, trainSeconds };
  });
}
