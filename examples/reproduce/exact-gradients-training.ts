/**
 * Trains the delayed-XOR network (./delayed-xor-network.ts) with gated-QIF neurons (the exact
 * gradient of the discrete model) or LIF neurons (a surrogate gradient) through the same Trainer,
 * task, init and budget. The budget is chosen on validation episodes: the params of the epoch with
 * the best validation accuracy (lowest validation loss on ties) are the ones scored on the held-out
 * test episodes. Training, validation and test episodes come from disjoint task seeds.
 */
import type { HostTensor, TrainBackend } from '@spikeflow/core';
import { adam, delayedXor, Trainer, type DelayedXorOptions, type TaskBatch } from '@spikeflow/models';
import { delayedXorNetwork, type XorNeuron } from './delayed-xor-network.js';
import { episodeSeeds } from './episode-seeds.js';
import { isBetterValidationPoint } from './online-network-training.js';

export interface DelayedXorRun {
  readonly neuron: XorNeuron;
  /** The episode's timing in steps. */
  readonly task: Pick<DelayedXorOptions, 'pulseSteps' | 'delaySteps' | 'waitSteps' | 'answerSteps'>;
  /** Each input of an active channel spikes with this probability per step (4 inputs per channel). */
  readonly inputRate: number;
  readonly hidden: number;
  readonly inputScale: number;
  readonly recurrentScale: number;
  readonly batch: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly lr: number;
  readonly validationBatches: number;
  readonly testBatches: number;
  readonly seed: number;
}

export interface XorCurvePoint {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly validationAccuracy: number;
}

export interface DelayedXorOutcome {
  readonly initial: { readonly validationLoss: number; readonly validationAccuracy: number };
  readonly curve: readonly XorCurvePoint[];
  /** The epoch whose params were kept (best on validation). */
  readonly chosenEpoch: number;
  readonly test: { readonly loss: number; readonly accuracy: number };
  readonly steps: number;
}

const feeds = (batch: TaskBatch) => ({ x: batch.inputs.x!, mask: batch.mask, labels: batch.labels! });

export async function trainDelayedXor(backend: TrainBackend, run: DelayedXorRun, log: (line: string) => void): Promise<DelayedXorOutcome> {
  const task = delayedXor({ ...run.task, code: { perChannel: 4, rate: run.inputRate } });
  const { hidden, neuron, inputScale, recurrentScale, batch } = run;
  const model = delayedXorNetwork({ steps: task.info.steps, batch, inputs: task.info.inputSize, hidden, neuron, inputScale, recurrentScale });
  const seeds = episodeSeeds(run.seed);
  const split = (base: number, count: number) => Array.from({ length: count }, (_, k) => feeds(task.batch(run.batch, base + k)));
  const validation = split(seeds.validation, run.validationBatches);
  const curve: XorCurvePoint[] = [];
  let best: { point: XorCurvePoint; params: Record<string, HostTensor> } | undefined;
  const trainer = await Trainer.create({
    backend,
    model,
    optimizer: adam(),
    schedule: run.lr,
    seed: run.seed,
    data: { train: (_rng, epoch) => split(seeds.train + epoch * run.stepsPerEpoch, run.stepsPerEpoch), test: () => validation },
    accuracy: { scores: 'scores', labels: 'labels' },
    onMetric: async (m, t) => {
      const point = { epoch: m.epoch, trainLoss: m.loss, validationLoss: m.testLoss!, validationAccuracy: m.testAccuracy! };
      curve.push(point);
      if (isBetterValidationPoint(point, best?.point)) best = { point, params: await t.params() };
      log(`${run.neuron} epoch ${m.epoch}: train loss ${m.loss.toFixed(4)}, validation loss ${point.validationLoss.toFixed(4)}, accuracy ${point.validationAccuracy.toFixed(3)} (${(m.ms / 1e3).toFixed(1)} s)`);
    },
  });
  try {
    const initial = await trainer.evaluate(validation);
    await trainer.runEpochs(run.epochs);
    const test = await trainer.evaluate(split(seeds.test, run.testBatches), best!.params);
    return {
      initial: { validationLoss: initial.loss, validationAccuracy: initial.accuracy! },
      curve,
      chosenEpoch: best!.point.epoch,
      test: { loss: test.loss, accuracy: test.accuracy! },
      steps: task.info.steps,
    };
  } finally {
    trainer.destroy();
  }
}
