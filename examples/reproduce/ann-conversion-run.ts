import { fail, tensor, type HostTensor, type TrainBackend } from '@spikeflow/core';
import {
  type ConvertedSnn,
  activationScales,
  adam,
  annLayers,
  annMlp,
  buildClassifier,
  classifierHead,
  convertToSnn,
  cosineAnnealing,
  evaluateSnn,
  layerActivations,
  minibatches,
  permutation,
  Trainer,
  type LayerScale,
  type MnistData,
  type ScaleOptions,
  type SnnAccuracy,
} from '@spikeflow/models';

/**
 * One run of ANN-to-SNN conversion on MNIST digits: train an analog ReLU MLP with spikeflow
 * (autodiff, Adam), take the activation scales on the training digits, convert, and score the
 * ANN and the SNN at several T on held-out digits.
 */

export interface AnnBudget {
  /** Layer sizes, input first, e.g. [784, 256, 128, 10]. */
  readonly sizes: readonly number[];
  readonly epochs: number;
  readonly batch: number;
  /** Peak Adam learning rate, annealed per step by a cosine to 0. */
  readonly lr: number;
}

export interface ConversionSettings {
  readonly scales: ScaleOptions;
  /** The numbers of steps the SNN is scored at (one run of the longest, read at each). */
  readonly steps: readonly number[];
  /** Batch of the SNN and activation runs. */
  readonly evalBatch: number;
}

export interface ConversionOutcome {
  readonly annAccuracy: number;
  readonly snn: readonly SnnAccuracy[];
  readonly scales: readonly LayerScale[];
  /** The converted network (spec and rescaled params), as exported to NIR. */
  readonly converted: ConvertedSnn;
  /** Held-out accuracy of the ANN after each epoch. */
  readonly curve: readonly { readonly epoch: number; readonly trainLoss: number; readonly testAccuracy: number }[];
  readonly trainSeconds: number;
  readonly convertSeconds: number;
  readonly snnSeconds: number;
}

/** The first `count` digits of a fixed shuffle of `data` (splits are grouped by class); all of them when count is absent. */
export function digitSubset(data: MnistData, count: number | undefined, seed: number): MnistData {
  if (count === undefined || count === data.count) return data;
  if (!Number.isInteger(count) || count < 1 || count > data.count) fail('attr', 'count', 'must be an integer in [1, the set size]', `1 .. ${data.count}`, String(count));
  return pick(data, Array.from(permutation(data.count, seed).subarray(0, count)));
}

/** The digits at `indices`, in that order. */
export function pick(data: MnistData, indices: readonly number[]): MnistData {
  const images = new Float32Array(indices.length * 784);
  const labels = new Int32Array(indices.length);
  indices.forEach((src, i) => {
    images.set(data.images.subarray(src * 784, (src + 1) * 784), i * 784);
    labels[i] = data.labels[src]!;
  });
  return { count: indices.length, images, labels };
}

/** Digits as one step of a time-major input, x [1, N, 784], with labels [N]. */
function asFields(data: MnistData): { x: HostTensor; labels: HostTensor } {
  return { x: tensor([1, data.count, 784], data.images), labels: tensor([data.count], data.labels, 'i32') };
}

/** Trains the ANN; the held-out set is scored after every epoch (so its score of the last epoch is the ANN's accuracy). */
async function trainAnn(backend: TrainBackend, budget: AnnBudget, train: MnistData, test: MnistData, seed: number, log: (line: string) => void) {
  const spec = annMlp(budget.sizes);
  const graph = buildClassifier(spec, { input: { name: 'x', shape: [1, budget.batch, 784] }, head: classifierHead({ readout: 'last' }), library: annLayers, classes: 10 });
  const trainFields = asFields(train);
  const testFields = asFields(test);
  const testBatches = minibatches({ x: { tensor: testFields.x, axis: 1 }, labels: testFields.labels }, { batchSize: budget.batch, keepLast: false });
  if (testBatches.length * budget.batch !== test.count) fail('attr', 'budget.batch', 'every held-out digit must be scored, so the held-out count must be a multiple of the batch', `a divisor of ${test.count}`, String(budget.batch));
  const steps = Math.floor(train.count / budget.batch) * budget.epochs;
  const curve: { epoch: number; trainLoss: number; testAccuracy: number }[] = [];
  const trainer = await Trainer.create({
    backend,
    model: graph,
    optimizer: adam(),
    schedule: cosineAnnealing(budget.lr, { tMax: steps }),
    schedulePer: 'step',
    seed,
    lossEvery: 20,
    accuracy: { scores: 'scores', labels: 'labels' },
    data: {
      train: (rng) => minibatches({ x: { tensor: trainFields.x, axis: 1 }, labels: trainFields.labels }, { batchSize: budget.batch, rng }),
      test: () => testBatches,
    },
    onMetric: (m) => {
      curve.push({ epoch: m.epoch, trainLoss: m.loss, testAccuracy: m.testAccuracy! });
      log(`ANN epoch ${m.epoch}/${budget.epochs}: train loss ${m.loss.toFixed(4)}, held-out accuracy ${(100 * m.testAccuracy!).toFixed(2)}% (${(m.ms / 1000).toFixed(0)} s)`);
    },
  });
  try {
    await trainer.runEpochs(budget.epochs);
    return { spec, params: await trainer.params(), curve };
  } finally {
    trainer.destroy();
  }
}

/**
 * Trains, converts (scales from the activations over `train`) and scores on `test`. The ANN's
 * accuracy and the SNN's are on the same held-out digits.
 */
export async function runConversion(options: {
  readonly backend: TrainBackend;
  readonly budget: AnnBudget;
  readonly conversion: ConversionSettings;
  readonly train: MnistData;
  readonly test: MnistData;
  readonly seed: number;
  readonly log?: (line: string) => void;
}): Promise<ConversionOutcome> {
  const { backend, budget, conversion, train, test, seed, log = () => {} } = options;
  let start = performance.now();
  const lap = () => {
    const seconds = (performance.now() - start) / 1000;
    start = performance.now();
    return seconds;
  };
  const { spec, params, curve } = await trainAnn(backend, budget, train, test, seed, log);
  const trainSeconds = lap();
  const activations = await layerActivations(backend, spec, params, train, conversion.evalBatch);
  const scales = activationScales(spec, activations, conversion.scales);
  const snn = convertToSnn(spec, params, scales);
  const convertSeconds = lap();
  log(`scales λ: ${scales.map((s) => `${s.layer} ${s.scale.toFixed(3)}`).join(', ')}`);
  const scored = await evaluateSnn(backend, snn, test, { steps: conversion.steps, batch: conversion.evalBatch });
  const snnSeconds = lap();
  const annAccuracy = curve[curve.length - 1]!.testAccuracy;
  for (const s of scored) log(`SNN T = ${s.steps}: ${(100 * s.counts).toFixed(2)}% by spike counts, ${(100 * s.membrane).toFixed(2)}% by membrane (ANN ${(100 * annAccuracy).toFixed(2)}%)`);
  return { annAccuracy, snn: scored, scales, converted: snn, curve, trainSeconds, convertSeconds, snnSeconds };
}
