import { fail, type HostTensor, type TrainBackend } from '@spikeflow/core';
import {
  adamw,
  cosineAnnealing,
  maskedPsnLambda,
  minibatches,
  ParamAverage,
  permutation,
  sequentialMnist,
  Trainer,
  type Batch,
  type DataRng,
  type MnistData,
  type MnistSplit,
} from '@spikeflow/models';
import { checkElastic, elasticDigits, type ElasticDistortion } from './elastic-digits.js';
import { shiftedDigits } from './shifted-digits.js';
import { warpedDigits, type Warp } from './warped-digits.js';
import { smnistModel, type SmnistArchitecture, type SmnistNeuron } from './smnist-model.js';

/** One training budget, shared by every neuron so the comparison is fair. */
export interface SmnistBudget {
  readonly epochs: number;
  readonly batch: number;
  /** Peak AdamW learning rate, annealed per step by a cosine to 0. */
  readonly lr: number;
  readonly weightDecay: number;
  /** Training digits are shifted by up to this many pixels on each axis, redrawn every epoch (0 or absent: no augmentation). */
  readonly maxShift?: number;
  /** Training digits are also turned and scaled about their centre, redrawn every epoch, before the shift (absent: not warped). */
  readonly warp?: Warp;
  /** Training digits are first bent by a random elastic field, redrawn every epoch (absent: not bent). */
  readonly elastic?: ElasticDistortion;
  /**
   * The params after every epoch from this one (1-based) to the last are averaged, and the average
   * is the network scored at the end (stochastic weight averaging; absent: the last params are).
   */
  readonly averageFrom?: number;
  /** Label smoothing ε of the training loss (absent: 0); the held-out loss is scored with the same ε. */
  readonly labelSmoothing?: number;
  /** Training digits used (a fixed random subset of the split's training set; all when absent). */
  readonly trainCount?: number;
  /** Held-out digits scored (a fixed random subset of the test set; all when absent). Must be a multiple of `batch`. */
  readonly testCount?: number;
}

export interface SmnistEpoch {
  readonly epoch: number;
  /** The masked PSN's λ during this epoch (absent for the other neurons). */
  readonly lambda?: number;
  /** Mean training loss over the epoch's steps. */
  readonly trainLoss: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface SmnistRun {
  readonly neuron: SmnistNeuron;
  /** Held-out accuracy of the network scored at the end: the averaged params when the budget averages, else the last. */
  readonly testAccuracy: number;
  /** With averaging: the averaged params' held-out score, beside the last params' score in the curve. */
  readonly averaged?: { readonly fromEpoch: number; readonly snapshots: number; readonly testLoss: number; readonly testAccuracy: number };
  /** Epoch 0 (the untrained network, its train loss evaluated over the first training batches) then every epoch. */
  readonly curve: readonly SmnistEpoch[];
  readonly trainCount: number;
  readonly testCount: number;
  readonly steps: number;
  readonly wall_s: number;
}

const NO_WARP: Warp = { maxDegrees: 0, maxScale: 0 };
const NO_ELASTIC: ElasticDistortion = { alpha: 0, sigma: 1 };

/** The untrained loss is read over this many training batches: enough to pin it near ln 10, cheap next to an epoch. */
const INITIAL_TRAIN_BATCHES = 10;

/** The first `count` digits of a fixed shuffle of `data` (the split is grouped by class). */
function subsetOf(data: MnistData, count: number | undefined, seed: number, field: string): MnistData {
  if (count === undefined || count === data.count) return data;
  if (!Number.isInteger(count) || count < 1 || count > data.count) fail('attr', field, 'must be an integer in [1, the split size]', `1 .. ${data.count}`, String(count));
  const picked = permutation(data.count, seed).slice(0, count);
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  picked.forEach((src, i) => {
    images.set(data.images.subarray(src * 784, (src + 1) * 784), i * 784);
    labels[i] = data.labels[src]!;
  });
  return { count, images, labels };
}

/** Every digit of `data` as one row-wise batch: x [28, N, 28] and labels [N]. */
function rowSequences(data: MnistData): { x: HostTensor; labels: HostTensor } {
  const batch = sequentialMnist(data, { encoding: 'row' }).encode(Array.from({ length: data.count }, (_, i) => i));
  return { x: batch.inputs.x!, labels: batch.labels! };
}

/**
 * Trains one neuron's network on row-wise sequential MNIST with AdamW and a per-step cosine
 * schedule, scoring the held-out digits after every epoch. A masked PSN's λ follows the authors'
 * per-epoch schedule, and the held-out score uses the λ of the epoch just trained, so the last
 * score is of the fully masked (k-local) neuron.
 */
export async function trainSmnist(options: {
  readonly backend: TrainBackend;
  readonly neuron: SmnistNeuron;
  readonly arch: SmnistArchitecture;
  readonly budget: SmnistBudget;
  readonly split: MnistSplit;
  readonly seed: number;
  readonly log?: (line: string) => void;
}): Promise<SmnistRun> {
  const { backend, neuron, arch, budget, split, seed, log = () => {} } = options;
  const start = performance.now();
  const trainData = subsetOf(split.train, budget.trainCount, seed, 'budget.trainCount');
  const testData = subsetOf(split.test, budget.testCount, seed + 1, 'budget.testCount');
  const { averageFrom } = budget;
  if (averageFrom !== undefined && !(Number.isInteger(averageFrom) && averageFrom >= 1 && averageFrom <= budget.epochs)) {
    fail('attr', 'budget.averageFrom', 'averaging starts at an epoch of the run', `an integer in [1, ${budget.epochs}]`, String(averageFrom));
  }
  // The elastic setting is first used after compiling and scoring the untrained network, so it is checked up front
  // (the label smoothing is checked by the loss when the model is traced, before compiling).
  if (budget.elastic !== undefined) checkElastic(budget.elastic, 'budget.elastic');
  if (testData.count % budget.batch !== 0) fail('attr', 'budget.testCount', 'every held-out digit must be scored, so the test count must be a multiple of the batch', `a multiple of ${budget.batch}`, String(testData.count));
  const trainSet = rowSequences(trainData);
  const testSet = rowSequences(testData);
  const testBatches = minibatches({ x: { tensor: testSet.x, axis: 1 }, labels: testSet.labels }, { batchSize: budget.batch });
  const stepsPerEpoch = Math.floor(trainData.count / budget.batch);
  const totalSteps = stepsPerEpoch * budget.epochs;
  const { graph, lambdaInputs } = smnistModel(neuron, arch, budget.batch, { labelSmoothing: budget.labelSmoothing });

  let lambda = 0;
  const withLambda = (batch: Batch): Batch => ({ ...batch, ...Object.fromEntries(lambdaInputs.map((name) => [name, lambda])) });
  const batchesOf = (set: { x: HostTensor; labels: HostTensor }, rng?: DataRng) => minibatches({ x: { tensor: set.x, axis: 1 }, labels: set.labels }, { batchSize: budget.batch, rng }).map(withLambda);
  const trainBatches = (rng?: DataRng) => batchesOf(trainSet, rng);
  // Elastic fields, warps and shifts are drawn before the shuffle, all from the trainer's generator, so a seed fixes them all.
  // Without augmentation each returns the digits themselves, and the prepared sequences are reused.
  const augmentedTrainBatches = (rng: DataRng) => {
    const bent = elasticDigits(trainData, budget.elastic ?? NO_ELASTIC, rng);
    const digits = shiftedDigits(warpedDigits(bent, budget.warp ?? NO_WARP, rng), budget.maxShift ?? 0, rng);
    return digits === trainData ? trainBatches(rng) : batchesOf(rowSequences(digits), rng);
  };
  const curve: SmnistEpoch[] = [];
  const snapshots = new ParamAverage();
  const trainer = await Trainer.create({
    backend,
    model: graph,
    optimizer: adamw({ weightDecay: budget.weightDecay }),
    schedule: cosineAnnealing(budget.lr, { tMax: totalSteps }),
    schedulePer: 'step',
    seed,
    accuracy: { scores: 'scores', labels: 'labels' },
    data: {
      train: (rng, epoch) => {
        lambda = maskedPsnLambda(epoch, budget.epochs);
        return augmentedTrainBatches(rng);
      },
      test: () => testBatches.map(withLambda),
    },
    onMetric: async (m, t) => {
      if (averageFrom !== undefined && m.epoch >= averageFrom) snapshots.add(await t.params());
      const entry: SmnistEpoch = {
        epoch: m.epoch,
        ...(lambdaInputs.length > 0 ? { lambda } : {}),
        trainLoss: m.loss,
        testLoss: m.testLoss!,
        testAccuracy: m.testAccuracy!,
        seconds: m.ms / 1000,
      };
      curve.push(entry);
      log(`${neuron} epoch ${m.epoch}/${budget.epochs}${entry.lambda === undefined ? '' : ` λ ${entry.lambda.toFixed(2)}`}: train loss ${entry.trainLoss.toFixed(4)}, held-out loss ${entry.testLoss.toFixed(4)}, accuracy ${(100 * entry.testAccuracy).toFixed(2)}% (${entry.seconds.toFixed(0)} s)`);
    },
  });
  let averaged: SmnistRun['averaged'];
  try {
    // Epoch 0 of the curve: the untrained network, the reference the losses fall from.
    const initialTrain = await trainer.evaluate(trainBatches().slice(0, INITIAL_TRAIN_BATCHES));
    const initialTest = await trainer.evaluate(testBatches.map(withLambda));
    curve.push({ epoch: 0, trainLoss: initialTrain.loss, testLoss: initialTest.loss, testAccuracy: initialTest.accuracy!, seconds: 0 });
    log(`${neuron} untrained: train loss ${initialTrain.loss.toFixed(4)}, held-out accuracy ${(100 * initialTest.accuracy!).toFixed(2)}%`);
    await trainer.runEpochs(budget.epochs);
    if (averageFrom !== undefined) {
      const scored = await trainer.evaluate(testBatches.map(withLambda), snapshots.mean());
      averaged = { fromEpoch: averageFrom, snapshots: snapshots.count, testLoss: scored.loss, testAccuracy: scored.accuracy! };
      log(`${neuron} params averaged over epochs ${averageFrom}-${budget.epochs}: held-out loss ${scored.loss.toFixed(4)}, accuracy ${(100 * scored.accuracy!).toFixed(2)}%`);
    }
  } finally {
    trainer.destroy();
  }
  return {
    neuron,
    testAccuracy: averaged?.testAccuracy ?? curve[curve.length - 1]!.testAccuracy,
    ...(averaged === undefined ? {} : { averaged }),
    curve,
    trainCount: trainData.count,
    testCount: testData.count,
    steps: totalSteps,
    wall_s: (performance.now() - start) / 1000,
  };
}
