import { fail, tensor, type Graph, type HostTensor, type TrainBackend } from '@spikeflow/core';
import {
  adam,
  buildClassifier,
  classifierHead,
  classSplit,
  FederatedTraining,
  lif,
  linear,
  permutation,
  sequential,
  sgd,
  TaskRng,
  type Batch,
  type DataRng,
  type FederatedClient,
  type MnistData,
  type MnistSplit,
  type UpdateCodec,
} from '@spikeflow/models';
import { digitSet, subsetDigits, type DigitSet } from './digit-set.js';

/**
 * Federated averaging of a small rate-coded LIF network on MNIST digits split non-IID over K
 * clients (two classes each), beside centralised training of the same network on the pooled
 * digits with the same number of training samples. The digits are 2×2-average-pooled to 14×14
 * (196 inputs) so that the CPU interpreter trains four runs in minutes.
 */
export interface FederatedMnistBudget {
  readonly hidden: number;
  /** T, the steps of the rate code. */
  readonly steps: number;
  /** Each local step's batch. */
  readonly batch: number;
  /** The local optimizer (every client's, and the centralised run's) and its constant learning rate. */
  readonly optimizer: 'adam' | 'sgd';
  readonly lr: number;
  readonly clients: number;
  readonly classesPerClient: number;
  /** Training samples every run sees in all (its rounds are samples / (K · τ · batch)). */
  readonly samples: number;
  /** The centralised run's validation accuracy is measured this many times (FedAvg's: at rounds 1, 2, 5, 10, 20, ... and the last). */
  readonly evaluations: number;
  /** Digits of the 8,000 held out of training to choose the budget; the rest are dealt to the clients. */
  readonly validation: number;
  /** Fewer training digits (a smoke run). */
  readonly trainCount?: number;
  /** Fewer test digits (a smoke run). */
  readonly testCount?: number;
}

export interface CurvePoint {
  /** Training samples seen so far, over all clients. */
  readonly samples: number;
  readonly round: number;
  /** Bytes sent up and down so far (0 for the centralised run). */
  readonly bytes: number;
  readonly validationAccuracy: number;
}

export interface FederatedMnistRun {
  /** 'centralised', or the τ of a FedAvg run. */
  readonly tau: number | 'centralised';
  readonly rounds: number;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly testAccuracy: number;
  readonly curve: readonly CurvePoint[];
  readonly wall_s: number;
}

export const INPUTS = 14 * 14;


/** Rate code: x[t, b, p] = 1 with probability pixel p of digit b, independently at each of T steps. */
export function rateCode(images: Float32Array, rows: readonly number[], steps: number, rng: TaskRng): HostTensor {
  const b = rows.length;
  const x = new Float32Array(steps * b * INPUTS);
  for (let t = 0; t < steps; t++) {
    rows.forEach((row, j) => {
      for (let p = 0; p < INPUTS; p++) x[(t * b + j) * INPUTS + p] = rng.uniform() < images[row * INPUTS + p]! ? 1 : 0;
    });
  }
  return tensor([steps, b, INPUTS], x);
}

/** Digits as a training set: pooled images, labels, and the generator of their spikes. */
/** The digits 2×2-pooled: 28×28 → 14×14 = INPUTS. */
const pooledDigits = (data: MnistData, indices: ArrayLike<number>): DigitSet => digitSet(data, indices, 2);

/** A client's passes: its digits reshuffled by the client's generator, encoded one batch at a time as they are drawn. */
function clientOf(set: DigitSet, batch: number, steps: number, spikes: TaskRng): FederatedClient {
  const count = set.labels.length;
  if (count < batch) fail('attr', 'budget.batch', 'every client must fill a batch', `a batch of at most ${count}`, String(batch));
  return {
    samples: count,
    *train(rng: DataRng): Iterable<Batch> {
      const order = rng.permutation(count);
      for (let start = 0; start + batch <= count; start += batch) {
        const rows = order.slice(start, start + batch);
        yield { x: rateCode(set.images, rows, steps, spikes), labels: tensor([batch], rows.map((r) => set.labels[r]!), 'i32') };
      }
    },
  };
}

/** Held-out digits, encoded once (a fixed spike draw), in batches of the training batch's size (the compiled model's). */
function heldOut(set: DigitSet, batch: number, steps: number, seed: number): Batch[] {
  const rng = new TaskRng(seed, 7);
  const batches: Batch[] = [];
  for (let start = 0; start + batch <= set.labels.length; start += batch) {
    const rows = Array.from({ length: batch }, (_, j) => start + j);
    batches.push({ x: rateCode(set.images, rows, steps, rng), labels: tensor([batch], set.labels.subarray(start, start + batch), 'i32') });
  }
  return batches;
}

/** 196 → hidden LIF → 10 LIF; the class scores are the output spike counts, scored by cross-entropy. */
function snn(budget: FederatedMnistBudget, batch: number): Graph {
  const spec = sequential([linear(INPUTS, budget.hidden, { initScale: 4 }), lif({ tau: 2, detachReset: true }), linear(budget.hidden, 10, { initScale: 4 }), lif({ tau: 2, detachReset: true })]);
  return buildClassifier(spec, { input: { name: 'x', shape: [budget.steps, batch, INPUTS] }, head: classifierHead({ readout: 'count', loss: 'crossEntropy' }) });
}

export interface FederatedMnistData {
  /** The digits dealt to the clients (pooled), their non-IID split, the validation and test batches. */
  readonly train: DigitSet;
  readonly parts: readonly Int32Array[];
  readonly validation: readonly Batch[];
  readonly test: readonly Batch[];
}

/** The seeded split: validation digits carved from the 8,000, the rest dealt two classes per client; test digits from the 2,000. */
export function federatedMnistData(split: MnistSplit, budget: FederatedMnistBudget, seed: number): FederatedMnistData {
  const { validation, batch } = budget;
  if (!Number.isInteger(validation) || validation % batch !== 0 || validation <= 0 || validation >= split.train.count) {
    fail('attr', 'budget.validation', `the validation digits are whole batches of ${batch} from the training split`, `a multiple of ${batch} below ${split.train.count}`, String(validation));
  }
  const testCount = budget.testCount ?? split.test.count;
  if (!Number.isInteger(testCount) || testCount % batch !== 0 || testCount > split.test.count) fail('attr', 'budget.testCount', `test digits are scored in whole batches of ${batch}`, `a multiple of ${batch} up to ${split.test.count}`, String(testCount));
  const order = permutation(split.train.count, seed);
  const trainCount = budget.trainCount ?? split.train.count - validation;
  if (!Number.isInteger(trainCount) || trainCount < 1 || trainCount > split.train.count - validation) fail('attr', 'budget.trainCount', 'must fit beside the validation digits', `1 .. ${split.train.count - validation}`, String(trainCount));
  const train = pooledDigits(split.train, order.subarray(0, trainCount));
  const parts = classSplit(train.labels, { clients: budget.clients, classesPerClient: budget.classesPerClient, classes: 10, seed });
  return {
    train,
    parts,
    validation: heldOut(pooledDigits(split.train, order.subarray(split.train.count - validation)), batch, budget.steps, seed),
    test: heldOut(pooledDigits(split.test, permutation(split.test.count, seed + 1).subarray(0, testCount)), batch, budget.steps, seed + 1),
  };
}

/**
 * One run: FedAvg with local steps τ over the non-IID clients, or (`tau` 'centralised') one client
 * holding every training digit, which trains exactly as plain minibatch training does (a
 * federation of one is plain training bit for bit; see the module's tests).
 */
export async function trainFederatedMnist(options: {
  readonly backend: TrainBackend;
  readonly budget: FederatedMnistBudget;
  readonly data: FederatedMnistData;
  readonly tau: number | 'centralised';
  readonly codec?: UpdateCodec;
  readonly seed: number;
  readonly log?: (line: string) => void;
}): Promise<FederatedMnistRun> {
  const { backend, budget, data, tau, codec, seed, log = () => {} } = options;
  const start = performance.now();
  const central = tau === 'centralised';
  const sets = central ? [data.train] : data.parts.map((rows) => subsetDigits(data.train, rows));
  const clients = sets.map((set, k) => clientOf(set, budget.batch, budget.steps, new TaskRng(seed, 100 + k)));
  // The centralised run's "round" is the stretch between two evaluations; it sends nothing.
  const perRound = central ? budget.samples / budget.evaluations : budget.clients * tau * budget.batch;
  const rounds = budget.samples / perRound;
  if (!Number.isInteger(rounds) || (central && !Number.isInteger(perRound / budget.batch))) {
    fail('attr', 'budget.samples', `the samples must be whole rounds of ${perRound} (K · τ · batch) and whole evaluation stretches`, `a multiple of ${perRound}`, String(budget.samples));
  }
  const localSteps = central ? perRound / budget.batch : tau;
  const model = snn(budget, budget.batch);
  const fed = await FederatedTraining.create({ backend, model, optimizer: budget.optimizer === 'adam' ? adam() : sgd(), lr: budget.lr, clients, localSteps, seed, ...(codec ? { codec } : {}), accuracy: { scores: 'scores', labels: 'labels' } });
  const score = async (batches: readonly Batch[]) => (await fed.evaluate(batches)).accuracy!;
  const curve: CurvePoint[] = [];
  try {
    for (let r = 1; r <= rounds; r++) {
      await fed.runRound();
      if (!central && !isOneTwoFive(r) && r !== rounds) continue;
      const bytes = central ? 0 : fed.bytes.up + fed.bytes.down;
      const point = { samples: r * perRound, round: r, bytes, validationAccuracy: await score(data.validation) };
      curve.push(point);
      log(`${central ? 'centralised' : `FedAvg τ = ${tau}`}: round ${r}/${rounds}, ${point.samples} samples, ${(bytes / 1e6).toFixed(1)} MB sent, validation accuracy ${(100 * point.validationAccuracy).toFixed(2)}%`);
    }
    const testAccuracy = await score(data.test);
    return { tau, rounds, upBytes: central ? 0 : fed.bytes.up, downBytes: central ? 0 : fed.bytes.down, testAccuracy, curve, wall_s: (performance.now() - start) / 1000 };
  } finally {
    fed.destroy();
  }
}

/** 1, 2, 5, 10, 20, 50, ...: rounds spread evenly on a log axis, the same for every τ. */
export function isOneTwoFive(n: number): boolean {
  const decade = 10 ** Math.floor(Math.log10(n) + 1e-9);
  return [1, 2, 5].some((m) => Math.abs(n - m * decade) < 1e-9 * n);
}
