import { fail, tensor, type HostTensor, type TrainBackend } from '@spikeflow/core';
import { adam, erbp, erbpNetwork, minibatches, MNIST_PIXELS, permutation, Trainer, type ErbpNetworkOptions, type MnistData, type MnistSplit } from '@spikeflow/models';
import type { ConvMnistBudget } from './conv-mnist-training.js';
import { runKeepingBestEpoch } from './best-epoch.js';

/**
 * One feedforward network of eRBP's two-compartment neurons on the MNIST digits, trained by one of
 * four rules: eRBP (online, the update graph of `erbp`), or by gradients of the same model graph —
 * BPTT with the surrogate, feedback alignment, direct feedback alignment (whose B_l are eRBP's G_l).
 * Every rule gets the same data, budget, Adam and learning rate schedule (constant); the epoch
 * scored on the test digits is the one with the best accuracy on validation digits carved from the
 * training split.
 */
export type ErbpMnistRule = 'erbp' | 'bptt' | 'fa' | 'dfa';

export interface ErbpMnistArchitecture extends Omit<ErbpNetworkOptions, 'batch' | 'backward'> {
  /** eRBP's boxcar on the charged soma (default (−θ, 2θ)). */
  readonly gate?: { readonly min: number; readonly max: number };
}

/** The conv SNN run's budget fields (epochs, batch, lr, validation and the digit counts); lr is kept constant here. */
export type ErbpMnistBudget = ConvMnistBudget;

export interface ErbpMnistEpoch {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationAccuracy: number;
  readonly seconds: number;
}

export interface ErbpMnistRun {
  readonly rule: ErbpMnistRule;
  readonly testAccuracy: number;
  readonly chosenEpoch: number;
  readonly curve: readonly ErbpMnistEpoch[];
  readonly trainCount: number;
  readonly testCount: number;
  readonly wall_s: number;
}

/** Digits `indices` of `data` as x [N, 784] and labels [N]. */
function digitsOf(data: MnistData, indices: ArrayLike<number>): { x: HostTensor; labels: HostTensor } {
  const n = indices.length;
  const images = new Float32Array(n * MNIST_PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    images.set(data.images.subarray(indices[i]! * MNIST_PIXELS, (indices[i]! + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = data.labels[indices[i]!]!;
  }
  return { x: tensor([n, MNIST_PIXELS], images), labels: tensor([n], labels, 'i32') };
}

function expectBudget(budget: ErbpMnistBudget, split: MnistSplit): { trainCount: number; testCount: number } {
  const { batch, validation } = budget;
  if (!Number.isInteger(validation) || validation < batch || validation % batch !== 0 || validation >= split.train.count) {
    fail('attr', 'budget.validation', 'the validation set is whole batches of the training split', `a multiple of ${batch} below ${split.train.count}`, String(validation));
  }
  const rest = split.train.count - validation;
  const trainCount = budget.trainCount ?? rest;
  if (!Number.isInteger(trainCount) || trainCount < batch || trainCount > rest) fail('attr', 'budget.trainCount', 'must fit beside the validation set', `${batch} .. ${rest}`, String(trainCount));
  const testCount = budget.testCount ?? split.test.count;
  if (!Number.isInteger(testCount) || testCount % batch !== 0 || testCount > split.test.count) fail('attr', 'budget.testCount', 'every test digit is scored in whole batches', `a multiple of ${batch} up to ${split.test.count}`, String(testCount));
  return { trainCount, testCount };
}

export async function trainErbpMnist(options: {
  readonly backend: TrainBackend;
  readonly rule: ErbpMnistRule;
  readonly arch: ErbpMnistArchitecture;
  readonly budget: ErbpMnistBudget;
  readonly split: MnistSplit;
  readonly seed: number;
  readonly log?: (line: string) => void;
}): Promise<ErbpMnistRun> {
  const { backend, rule, arch, budget, split, seed, log = () => {} } = options;
  const start = performance.now();
  const { trainCount, testCount } = expectBudget(budget, split);
  const order = permutation(split.train.count, seed);
  const train = digitsOf(split.train, order.subarray(0, trainCount));
  const validation = digitsOf(split.train, order.subarray(split.train.count - budget.validation));
  const test = digitsOf(split.test, permutation(split.test.count, seed + 1).subarray(0, testCount));
  const batchesOf = (set: { x: HostTensor; labels: HostTensor }, rng?: Parameters<typeof minibatches>[1]['rng']) => minibatches({ x: set.x, labels: set.labels }, { batchSize: budget.batch, rng });
  const { gate, ...network } = arch;
  const net = erbpNetwork({ ...network, batch: budget.batch, backward: rule === 'erbp' ? 'bptt' : rule });

  const curve: ErbpMnistEpoch[] = [];
  const trainer = await Trainer.create({
    backend,
    model: net.model,
    ...(rule === 'erbp' ? { rule: erbp(net, gate ? { gate } : {}) } : {}),
    optimizer: adam(),
    schedule: budget.lr,
    seed,
    accuracy: { scores: 'scores', labels: 'labels' },
    lossEvery: 10,
    data: { train: (rng) => batchesOf(train, rng), test: () => batchesOf(validation) },
    onMetric: (m) => {
      const entry = { epoch: m.epoch, trainLoss: m.loss, validationAccuracy: m.testAccuracy!, seconds: m.ms / 1000 };
      curve.push(entry);
      log(`${rule} epoch ${m.epoch}/${budget.epochs}: train loss ${entry.trainLoss.toFixed(4)}, validation accuracy ${(100 * entry.validationAccuracy).toFixed(2)}% (${entry.seconds.toFixed(0)} s)`);
    },
  });
  try {
    // Epoch 0: the untrained network, its loss on the first training batches.
    const untrainedTrain = await trainer.evaluate(batchesOf(train).slice(0, 10));
    const untrained = await trainer.evaluate(batchesOf(validation));
    curve.push({ epoch: 0, trainLoss: untrainedTrain.loss, validationAccuracy: untrained.accuracy!, seconds: 0 });
    // The state of the best epoch, to score the test digits with.
    const best = await runKeepingBestEpoch(trainer, budget.epochs, () => curve[curve.length - 1]!);
    const scored = await trainer.evaluate(batchesOf(test));
    log(`${rule}: test accuracy after epoch ${best.epoch} (the validation set's choice): ${(100 * scored.accuracy!).toFixed(2)}%`);
    return { rule, testAccuracy: scored.accuracy!, chosenEpoch: best.epoch, curve, trainCount, testCount, wall_s: (performance.now() - start) / 1000 };
  } finally {
    trainer.destroy();
  }
}
