import { fail, GraphBuilder, tensor, type Graph, type HostTensor, type TrainBackend } from '@spikeflow/core';
import {
  adam,
  applyClassifierHead,
  applySequential,
  classifierHead,
  conv2d,
  cosineAnnealing,
  flattenSpec,
  lif,
  linear,
  maxPool2dSpec,
  minibatches,
  permutation,
  sequential,
  standardLayers,
  tdBN,
  Trainer,
  type MnistData,
  type MnistSplit,
} from '@spikeflow/models';
import { runKeepingBestEpoch } from './best-epoch.js';

/**
 * A small convolutional SNN on the MNIST digits, written with the declarative conv blocks:
 *
 *   conv 3×3 (1→c1) → repeat T → tdBN → LIF → max-pool 2 → conv 3×3 (c1→c2) → tdBN → LIF → max-pool 2 → flatten → linear → mean over T
 *
 * The digit enters as it is, at every step (direct encoding): the first convolution of a static
 * image is the same at every step, so it runs once on [B, 1, 28, 28] and its output is repeated T
 * times; everything after it is time-major [T, B, ...].
 */
export interface ConvMnistArchitecture {
  readonly steps: number;
  readonly channels: readonly [number, number];
}

export interface ConvMnistBudget {
  readonly epochs: number;
  readonly batch: number;
  /** Adam learning rate: the conv SNN run anneals it per step by a cosine to 0 from this peak; the eRBP run keeps it constant. */
  readonly lr: number;
  /** Training digits held out of training to choose the epoch (the last ones of a fixed shuffle of the training split). */
  readonly validation: number;
  /** Training digits used (after the validation ones are set aside; all the rest when absent). */
  readonly trainCount?: number;
  /** Held-out test digits scored (a fixed subset; all 2,000 when absent). Must be a multiple of `batch`. */
  readonly testCount?: number;
}

export interface ConvMnistEpoch {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly validationAccuracy: number;
  readonly seconds: number;
}

export interface ConvMnistRun {
  /** Test accuracy of the network after the epoch with the best validation accuracy. */
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly chosenEpoch: number;
  /** Epoch 0 (the untrained network; its train loss over the first training batches), then every epoch. */
  readonly curve: readonly ConvMnistEpoch[];
  readonly trainCount: number;
  readonly validationCount: number;
  readonly testCount: number;
  readonly steps: number;
  readonly wall_s: number;
}

/** The classifier graph: inputs x [B, 1, 28, 28] and labels [B]; outputs loss and scores [B, 10]. */
export function convMnistModel(arch: ConvMnistArchitecture, batch: number): Graph {
  const [c1, c2] = arch.channels;
  const b = new GraphBuilder();
  const x = b.input('x', [batch, 1, 28, 28]);
  const encoded = b.scope('encoder', () => applySequential(b, sequential([conv2d(1, c1, 3, { padding: 1 })]), x, standardLayers)[0]!.output);
  const repeated = encoded.reshape([1, ...encoded.shape]).broadcastTo([arch.steps, ...encoded.shape]);
  const snn = sequential([
    tdBN(c1),
    lif({ tau: 2, detachReset: true }),
    maxPool2dSpec(2),
    conv2d(c1, c2, 3, { padding: 1 }),
    tdBN(c2),
    lif({ tau: 2, detachReset: true }),
    maxPool2dSpec(2),
    flattenSpec(),
    linear(c2 * 7 * 7, 10, { bias: true }),
  ]);
  const layers = b.scope('snn', () => applySequential(b, snn, repeated, standardLayers));
  const labels = b.input('labels', [batch], 'i32');
  const { loss, scores } = applyClassifierHead(layers[layers.length - 1]!.output, labels, classifierHead({ readout: 'mean' }));
  return b.finish({ loss, scores });
}

/** Digits `indices` of `data` as x [N, 1, 28, 28] and labels [N]. */
function digitsOf(data: MnistData, indices: ArrayLike<number>): { x: HostTensor; labels: HostTensor } {
  const n = indices.length;
  const images = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    images.set(data.images.subarray(indices[i]! * 784, (indices[i]! + 1) * 784), i * 784);
    labels[i] = data.labels[indices[i]!]!;
  }
  return { x: tensor([n, 1, 28, 28], images), labels: tensor([n], labels, 'i32') };
}

/**
 * Trains the network with Adam and a per-step cosine schedule on the training split less a
 * validation set, scoring the validation digits after every epoch; the test digits are scored once,
 * at the end, with the state (params and running statistics) of the epoch the validation set chose.
 */
export async function trainConvMnist(options: {
  readonly backend: TrainBackend;
  readonly arch: ConvMnistArchitecture;
  readonly budget: ConvMnistBudget;
  readonly split: MnistSplit;
  readonly seed: number;
  readonly log?: (line: string) => void;
}): Promise<ConvMnistRun> {
  const { backend, arch, budget, split, seed, log = () => {} } = options;
  const start = performance.now();
  const order = permutation(split.train.count, seed);
  if (!Number.isInteger(budget.validation) || budget.validation < budget.batch || budget.validation % budget.batch !== 0 || budget.validation >= split.train.count) {
    fail('attr', 'budget.validation', 'the validation set is whole batches of the training split', `a multiple of ${budget.batch} below ${split.train.count}`, String(budget.validation));
  }
  const rest = split.train.count - budget.validation;
  const trainCount = budget.trainCount ?? rest;
  if (!Number.isInteger(trainCount) || trainCount < budget.batch || trainCount > rest) fail('attr', 'budget.trainCount', 'must fit beside the validation set', `${budget.batch} .. ${rest}`, String(trainCount));
  const testCount = budget.testCount ?? split.test.count;
  if (!Number.isInteger(testCount) || testCount % budget.batch !== 0 || testCount > split.test.count) fail('attr', 'budget.testCount', 'every test digit must be scored in whole batches', `a multiple of ${budget.batch} up to ${split.test.count}`, String(testCount));
  const train = digitsOf(split.train, order.subarray(0, trainCount));
  const validation = digitsOf(split.train, order.subarray(split.train.count - budget.validation));
  const test = digitsOf(split.test, permutation(split.test.count, seed + 1).subarray(0, testCount));
  const batchesOf = (set: { x: HostTensor; labels: HostTensor }, rng?: Parameters<typeof minibatches>[1]['rng']) => minibatches({ x: set.x, labels: set.labels }, { batchSize: budget.batch, rng });
  const stepsPerEpoch = Math.floor(trainCount / budget.batch);

  const curve: ConvMnistEpoch[] = [];
  const trainer = await Trainer.create({
    backend,
    model: convMnistModel(arch, budget.batch),
    optimizer: adam(),
    schedule: cosineAnnealing(budget.lr, { tMax: stepsPerEpoch * budget.epochs }),
    schedulePer: 'step',
    seed,
    accuracy: { scores: 'scores', labels: 'labels' },
    data: { train: (rng) => batchesOf(train, rng), test: () => batchesOf(validation) },
    onMetric: (m) => {
      const entry = { epoch: m.epoch, trainLoss: m.loss, validationLoss: m.testLoss!, validationAccuracy: m.testAccuracy!, seconds: m.ms / 1000 };
      curve.push(entry);
      log(`epoch ${m.epoch}/${budget.epochs}: train loss ${entry.trainLoss.toFixed(4)}, validation loss ${entry.validationLoss.toFixed(4)}, accuracy ${(100 * entry.validationAccuracy).toFixed(2)}% (${entry.seconds.toFixed(0)} s)`);
    },
  });
  try {
    const untrainedTrain = await trainer.evaluate(batchesOf(train).slice(0, 10));
    const untrained = await trainer.evaluate(batchesOf(validation));
    curve.push({ epoch: 0, trainLoss: untrainedTrain.loss, validationLoss: untrained.loss, validationAccuracy: untrained.accuracy!, seconds: 0 });
    log(`untrained: train loss ${untrainedTrain.loss.toFixed(4)}, validation accuracy ${(100 * untrained.accuracy!).toFixed(2)}%`);
    // The whole state (params and running statistics) of the best epoch, to score the test digits with.
    const best = await runKeepingBestEpoch(trainer, budget.epochs, () => curve[curve.length - 1]!);
    const scored = await trainer.evaluate(batchesOf(test));
    log(`test accuracy after epoch ${best.epoch} (the validation set's choice): ${(100 * scored.accuracy!).toFixed(2)}%`);
    return {
      testAccuracy: scored.accuracy!,
      testLoss: scored.loss,
      chosenEpoch: best.epoch,
      curve,
      trainCount,
      validationCount: budget.validation,
      testCount,
      steps: stepsPerEpoch * budget.epochs,
      wall_s: (performance.now() - start) / 1000,
    };
  } finally {
    trainer.destroy();
  }
}
