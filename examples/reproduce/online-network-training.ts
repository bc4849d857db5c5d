/**
 * Trains one `onlineNetwork` by e-prop, RFLO or BPTT (or its readout alone, by its exact gradient)
 * through the same Trainer, init, episodes and budget, and keeps the params of the epoch that did
 * best on validation episodes (the budget chosen on validation): highest validation accuracy when
 * the model scores one, lowest validation loss otherwise (and on ties). Shared by the online-rule
 * experiments.
 */
import type { HostTensor, TrainBackend } from '@spikeflow/core';
import { adam, cosineAnnealing, eprop, onlineNetwork, rflo, Trainer, type Batches, type EpochMetrics, type Feedback, type OnlineNetwork, type OnlineNetworkOptions, type Schedule, type UpdateSource } from '@spikeflow/models';

/** `readout`: only W_out and b trained (their exact gradient, the delta rule), the control for what a rule's hidden updates add. */
export type OnlineLearning = { readonly kind: 'bptt' | 'readout' } | { readonly kind: 'eprop' | 'rflo'; readonly feedback: Feedback };

export interface OnlineBudget {
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly lr: number;
  /** When given, the lr is cosine-annealed per epoch from lr (first epoch) to lr · lrFloor (last). */
  readonly lrFloor?: number;
}

function scheduleOf(budget: OnlineBudget): number | Schedule {
  if (budget.lrFloor === undefined || budget.epochs < 2) return budget.lr;
  return cosineAnnealing(budget.lr, { tMax: budget.epochs - 1, etaMin: budget.lr * budget.lrFloor });
}

export interface ValidationPoint {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly validationAccuracy?: number;
}

export interface OnlineTraining {
  readonly net: OnlineNetwork;
  readonly trainer: Trainer;
  /** The params of the chosen epoch, and that epoch (1-based) and its optimizer steps. */
  readonly chosen: { readonly epoch: number; readonly steps: number; readonly params: Record<string, HostTensor> };
  readonly initial: { readonly validationLoss: number; readonly validationAccuracy?: number };
  readonly curve: readonly ValidationPoint[];
  readonly trainSeconds: number;
}

export interface OnlineTrainingSpec {
  readonly backend: TrainBackend;
  readonly network: OnlineNetworkOptions;
  readonly learning: OnlineLearning;
  readonly budget: OnlineBudget;
  readonly seed: number;
  /** The training batches of optimizer steps [first, first + count). */
  readonly trainBatches: (first: number, count: number) => Batches;
  readonly validation: Batches;
  /** Batches carry `labels` and the model's `scores` are scored against them. */
  readonly accuracy: boolean;
  readonly log: (line: string) => void;
}

/** Higher validation accuracy wins (a model without one counts 0), lower validation loss on ties. */
export function isBetterValidationPoint(point: ValidationPoint, best: ValidationPoint | undefined): boolean {
  if (best === undefined) return true;
  const [a, b] = [point.validationAccuracy ?? 0, best.validationAccuracy ?? 0];
  return a > b || (a === b && point.validationLoss < best.validationLoss);
}

function trainedBy(net: OnlineNetwork, learning: OnlineLearning): { rule: UpdateSource } | { wrt: string[] } | Record<string, never> {
  if (learning.kind === 'eprop') return { rule: eprop(net, { feedback: learning.feedback }) };
  if (learning.kind === 'rflo') return { rule: rflo(net, { feedback: learning.feedback }) };
  if (learning.kind === 'readout') return { wrt: [net.params.readout!, ...(net.params.bias === undefined ? [] : [net.params.bias])] };
  return {};
}

/** Trains and hands the trainer (with the chosen params) to `use`; the trainer is destroyed after. */
export async function withTrainedNetwork<R>(spec: OnlineTrainingSpec, use: (trained: OnlineTraining) => Promise<R>): Promise<R> {
  const { budget, learning } = spec;
  const net = onlineNetwork(spec.network);
  const curve: ValidationPoint[] = [];
  let best: { point: ValidationPoint; params: Record<string, HostTensor> } | undefined;
  const trainer = await Trainer.create({
    backend: spec.backend,
    model: net.model,
    ...trainedBy(net, learning),
    optimizer: adam(),
    schedule: scheduleOf(budget),
    seed: spec.seed,
    data: { train: (_rng, epoch) => spec.trainBatches(epoch * budget.stepsPerEpoch, budget.stepsPerEpoch), test: () => spec.validation },
    ...(spec.accuracy ? { accuracy: { scores: 'scores', labels: 'labels' } } : {}),
    onMetric: async (m: EpochMetrics, t: Trainer) => {
      const point = { epoch: m.epoch, trainLoss: m.loss, validationLoss: m.testLoss!, ...(m.testAccuracy === undefined ? {} : { validationAccuracy: m.testAccuracy }) };
      curve.push(point);
      if (isBetterValidationPoint(point, best?.point)) best = { point, params: await t.params() };
      const accuracy = point.validationAccuracy === undefined ? '' : `, accuracy ${point.validationAccuracy.toFixed(4)}`;
      spec.log(`epoch ${m.epoch}: train loss ${m.loss.toFixed(4)}, validation loss ${point.validationLoss.toFixed(4)}${accuracy} (${(m.ms / 1e3).toFixed(1)} s)`);
    },
  });
  try {
    const initial = await trainer.evaluate(spec.validation);
    const start = performance.now();
    await trainer.runEpochs(budget.epochs);
    const trainSeconds = (performance.now() - start) / 1e3;
    const chosen = { epoch: best!.point.epoch, steps: best!.point.epoch * budget.stepsPerEpoch, params: best!.params };
    return await use({ net, trainer, chosen, initial: { validationLoss: initial.loss, ...(initial.accuracy === undefined ? {} : { validationAccuracy: initial.accuracy }) }, curve, trainSeconds });
  } finally {
    trainer.destroy();
  }
}
