/**
 * Evidence accumulation (the e-prop paper's Figure 3 task) with one ALIF layer, trained by e-prop or
 * by BPTT through the same Trainer, network, init, episodes and budget. The budget (how many
 * epochs to keep) is chosen on validation episodes: the params of the epoch with the best
 * validation accuracy (lowest validation loss on ties) are the ones tested, on test episodes
 * drawn from a third, disjoint seed range.
 */
import type { TrainBackend, HostTensor } from '@spikeflow/core';
import { adam, alifNeuron, eprop, evidenceAccumulation, onlineNetwork, Trainer, type EpochMetrics, type Feedback, type OnlineNetworkOptions } from '@spikeflow/models';

export type EvidenceLearning = { readonly kind: 'bptt' } | { readonly kind: 'eprop'; readonly feedback: Feedback };

export interface EvidenceRun {
  /** The ALIF layer's size and attrs; the rest of the network is fixed below. */
  readonly hidden: number;
  readonly batch: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly lr: number;
  readonly validationBatches: number;
  readonly testBatches: number;
  readonly seed: number;
}

export interface EvidenceOutcome {
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly testEpisodes: number;
  /** The epoch whose params were tested (chosen on validation) and its optimizer steps. */
  readonly chosenEpoch: number;
  readonly chosenSteps: number;
  readonly initial: { readonly validationLoss: number; readonly validationAccuracy: number };
  readonly curve: readonly { readonly epoch: number; readonly trainLoss: number; readonly validationLoss: number; readonly validationAccuracy: number }[];
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

export async function trainEvidence(backend: TrainBackend, run: EvidenceRun, learning: EvidenceLearning, log: (line: string) => void): Promise<EvidenceOutcome> {
  const task = evidenceAccumulation();
  const net = onlineNetwork(evidenceNetworkOptions(run));
  const batchAt = (seed: number) => {
    const t = task.batch(run.batch, seed);
    return { x: t.inputs.x!, targets: t.targets, mask: t.mask, labels: t.labels! };
  };
  const base = run.seed * SEEDS_PER_RUN;
  const range = (offset: number, count: number) => Array.from({ length: count }, (_, k) => batchAt(base + offset + k));
  const validation = range(VALIDATION_OFFSET, run.validationBatches);
  const curve: { epoch: number; trainLoss: number; validationLoss: number; validationAccuracy: number }[] = [];
  let best: { epoch: number; accuracy: number; loss: number; params: Record<string, HostTensor> } | undefined;
  const trainer = await Trainer.create({
    backend,
    model: net.model,
    ...(learning.kind === 'eprop' ? { rule: eprop(net, { feedback: learning.feedback }) } : {}),
    optimizer: adam(),
    schedule: run.lr,
    seed: run.seed,
    data: { train: (_rng, epoch) => range(epoch * run.stepsPerEpoch, run.stepsPerEpoch), test: () => validation },
    accuracy: { scores: 'scores', labels: 'labels' },
    onMetric: async (m: EpochMetrics, t: Trainer) => {
      const point = { epoch: m.epoch, trainLoss: m.loss, validationLoss: m.testLoss!, validationAccuracy: m.testAccuracy! };
      curve.push(point);
      if (best === undefined || point.validationAccuracy > best.accuracy || (point.validationAccuracy === best.accuracy && point.validationLoss < best.loss)) {
        best = { epoch: m.epoch, accuracy: point.validationAccuracy, loss: point.validationLoss, params: await t.params() };
      }
      log(`epoch ${m.epoch}: train loss ${m.loss.toFixed(4)}, validation loss ${point.validationLoss.toFixed(4)}, accuracy ${point.validationAccuracy.toFixed(4)} (${(m.ms / 1e3).toFixed(1)} s)`);
    },
  });
  try {
    const initial = await trainer.evaluate(validation);
    const start = performance.now();
    await trainer.runEpochs(run.epochs);
    const trainSeconds = (performance.now() - start) / 1e3;
    const chosen = best!;
    const test = await trainer.evaluate(range(TEST_OFFSET, run.testBatches), chosen.params);
    return {
      testAccuracy: test.accuracy!,
      testLoss: test.loss,
      testEpisodes: run.testBatches * run.batch,
      chosenEpoch: chosen.epoch,
      chosenSteps: chosen.epoch * run.stepsPerEpoch,
      initial: { validationLoss: initial.loss, validationAccuracy: initial.accuracy! },
      curve,
      trainSeconds,
    };
  } finally {
    trainer.destroy();
  }
}
