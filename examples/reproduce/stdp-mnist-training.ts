import { evaluate, tensor, type Graph, type HostTensor } from '@spikeflow/core';
import { ClassResponses, DIEHL_COOK, diehlCookGraph, MNIST_PIXELS, permutation, poissonSpikes, voteClass, type DiehlCookOptions, type MnistData, type MnistSplit } from '@spikeflow/models';
import { compile, type Executable } from '@spikeflow/webgpu';

/**
 * Unsupervised STDP on the MNIST digits, as Diehl & Cook 2015 train it: each training digit is
 * presented once as Poisson spike trains with learning on (W and θ advance); then, with W and θ
 * frozen, each neuron is labelled by its mean response per class over training digits, and a
 * held-out digit is given the class whose neurons respond most. A digit that draws fewer than
 * `minSpikes` output spikes is presented again with the input rate raised by `rateStep` Hz.
 */
export interface StdpMnistBudget {
  /** Training digits presented with learning on (one pass). */
  readonly trainCount: number;
  /** Training digits presented frozen to label the neurons. */
  readonly assignCount: number;
  /** Held-out digits scored. */
  readonly testCount: number;
  /** Pixel intensity 1 fires at this rate (Hz); Diehl & Cook: 63.75 (intensity/4 for 0..255). */
  readonly maxRate: number;
  readonly minSpikes: number;
  readonly rateStep: number;
  /** Presentations of one digit at most (the first plus the raised-rate ones). */
  readonly maxTries: number;
}

/** Where the training presentations run; the frozen ones always run on the CPU interpreter (cheap without STDP). */
export type StdpTrainDevice = { readonly kind: 'cpu' } | { readonly kind: 'webgpu'; readonly gpu: GPUDevice };

export interface StdpMnistRun {
  readonly testAccuracy: number;
  /** Label-assignment digits classified by the same vote (their own labels made the assignment). */
  readonly assignAccuracy: number;
  /** The learned W [inputs, neurons] and θ [1, neurons]. */
  readonly weights: HostTensor;
  readonly theta: HostTensor;
  readonly assignments: Int32Array;
  /** Mean presentations per training digit (1 = never raised). */
  readonly triesPerDigit: number;
  /** Seconds spent in the learning pass. */
  readonly trainSeconds: number;
  readonly wall_s: number;
}

/** A set of digits as intensities in [0, 1], maybe downsampled (2×2 mean pooling: 784 → 196 inputs). */
export interface DigitSet {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly pixels: number;
}

/** Digits `indices` of `data`, at full size or 2×2-pooled. */
export function digitSet(data: MnistData, indices: ArrayLike<number>, pool: 1 | 2 = 1): DigitSet {
  const side = 28 / pool;
  const pixels = side * side;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const src = data.images.subarray(indices[k]! * MNIST_PIXELS, (indices[k]! + 1) * MNIST_PIXELS);
    labels[k] = data.labels[indices[k]!]!;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        let sum = 0;
        for (let dr = 0; dr < pool; dr++) for (let dc = 0; dc < pool; dc++) sum += src[(r * pool + dr) * 28 + c * pool + dc]!;
        images[k * pixels + r * side + c] = sum / (pool * pool);
      }
    }
  }
  return { images, labels, pixels };
}

/** Runs presentations of one graph, keeping W and θ between calls. */
interface Presenter {
  present(spikes: Float32Array): Promise<Float32Array>;
  readState(): Promise<{ w: HostTensor; theta: HostTensor }>;
  destroy(): void;
}

function cpuPresenter(graph: Graph, options: DiehlCookOptions, seed: number, state?: Record<string, HostTensor>): Presenter {
  let current = state;
  return {
    async present(spikes) {
      const r = evaluate(graph, { inputs: { [DIEHL_COOK.spikes]: tensor([options.steps, 1, options.inputs], spikes) }, ...(current ? { state: current } : {}) }, { seed });
      current = { ...r.state };
      return r.outputs[DIEHL_COOK.counts]!.data as Float32Array;
    },
    async readState() {
      if (!current) throw new Error('no presentation has run yet');
      return { w: current[DIEHL_COOK.weights]!, theta: current[DIEHL_COOK.theta]! };
    },
    destroy() {},
  };
}

async function webgpuPresenter(graph: Graph, options: DiehlCookOptions, seed: number, gpu: GPUDevice): Promise<Presenter> {
  const exe: Executable = await compile(graph, gpu, { seed });
  return {
    async present(spikes) {
      const r = await exe.run({ [DIEHL_COOK.spikes]: tensor([options.steps, 1, options.inputs], spikes) });
      return r[DIEHL_COOK.counts]!.data as Float32Array;
    },
    async readState() {
      const s = await exe.readState([DIEHL_COOK.weights, DIEHL_COOK.theta]);
      return { w: s[DIEHL_COOK.weights]!, theta: s[DIEHL_COOK.theta]! };
    },
    destroy: () => exe.destroy(),
  };
}

/** One digit, re-presented at a raised rate until it draws `minSpikes` output spikes (or `maxTries` runs). */
async function presentDigit(presenter: Presenter, image: Float32Array, options: DiehlCookOptions, budget: StdpMnistBudget, rng: { seed: number }): Promise<{ counts: Float32Array; tries: number }> {
  let counts: Float32Array = new Float32Array(options.neurons);
  for (let tries = 1; ; tries++) {
    const maxRate = budget.maxRate + (tries - 1) * budget.rateStep;
    const drawn = poissonSpikes(image, options.steps, { maxRate, dt: options.stdp.dt, seed: rng.seed });
    rng.seed = drawn.seed;
    counts = await presenter.present(drawn.spikes);
    if (tries >= budget.maxTries || counts.reduce((a, b) => a + b, 0) >= budget.minSpikes) return { counts, tries };
  }
}

export async function trainStdpMnist(options: {
  readonly network: DiehlCookOptions;
  readonly budget: StdpMnistBudget;
  readonly train: DigitSet;
  readonly test: DigitSet;
  readonly device: StdpTrainDevice;
  readonly seed: number;
  readonly log?: (line: string) => void;
}): Promise<StdpMnistRun> {
  const { network, budget, train, test, device, seed, log = () => {} } = options;
  const start = performance.now();
  if (train.pixels !== network.inputs || test.pixels !== network.inputs) throw new Error(`the digits have ${train.pixels} pixels but the network ${network.inputs} inputs`);
  const need = budget.trainCount + budget.assignCount;
  if (need > train.labels.length || budget.testCount > test.labels.length) throw new Error(`the budget needs ${need} training and ${budget.testCount} held-out digits; there are ${train.labels.length} and ${test.labels.length}`);
  const order = permutation(train.labels.length, seed);
  const imageOf = (set: DigitSet, k: number) => set.images.subarray(k * set.pixels, (k + 1) * set.pixels);
  const rng = { seed: (seed * 2654435761) >>> 0 };

  const learner = device.kind === 'webgpu' ? await webgpuPresenter(diehlCookGraph(network, 'train'), network, seed, device.gpu) : cpuPresenter(diehlCookGraph(network, 'train'), network, seed);
  let tries = 0;
  let state: { w: HostTensor; theta: HostTensor };
  try {
    for (let k = 0; k < budget.trainCount; k++) {
      tries += (await presentDigit(learner, imageOf(train, order[k]!), network, budget, rng)).tries;
      if ((k + 1) % Math.max(1, Math.floor(budget.trainCount / 10)) === 0) log(`trained on ${k + 1}/${budget.trainCount} digits (${((performance.now() - start) / 1000).toFixed(0)} s, ${(tries / (k + 1)).toFixed(2)} presentations per digit)`);
    }
    state = await learner.readState();
  } finally {
    learner.destroy();
  }
  const trainSeconds = (performance.now() - start) / 1000;

  // Frozen: W and θ fixed, no threshold offset; first label the neurons, then score held-out digits.
  const frozen = cpuPresenter(diehlCookGraph(network, 'test'), network, seed, { [DIEHL_COOK.weights]: state.w, [DIEHL_COOK.theta]: state.theta });
  const responses = new ClassResponses(network.neurons);
  const assignCounts: Float32Array[] = [];
  for (let k = 0; k < budget.assignCount; k++) {
    const index = order[budget.trainCount + k]!;
    const { counts } = await presentDigit(frozen, imageOf(train, index), network, budget, rng);
    responses.add(counts, train.labels[index]!);
    assignCounts.push(counts.slice());
  }
  const assignments = responses.assignments();
  const assignAccuracy = assignCounts.filter((c, k) => voteClass(c, assignments) === train.labels[order[budget.trainCount + k]!]).length / budget.assignCount;
  let correct = 0;
  for (let k = 0; k < budget.testCount; k++) {
    const { counts } = await presentDigit(frozen, imageOf(test, k), network, budget, rng);
    if (voteClass(counts, assignments) === test.labels[k]) correct++;
  }
  const testAccuracy = correct / budget.testCount;
  log(`labelled by ${budget.assignCount} training digits (their accuracy ${(100 * assignAccuracy).toFixed(1)}%); held-out accuracy ${(100 * testAccuracy).toFixed(2)}% on ${budget.testCount} digits`);
  return { testAccuracy, assignAccuracy, weights: state.w, theta: state.theta, assignments, triesPerDigit: tries / budget.trainCount, trainSeconds, wall_s: (performance.now() - start) / 1000 };
}

/** The split's held-out digits in a fixed shuffled order, and all its training digits, at `pool`. */
export function stdpDigits(split: MnistSplit, seed: number, pool: 1 | 2 = 1): { train: DigitSet; test: DigitSet } {
  return {
    train: digitSet(split.train, Array.from({ length: split.train.count }, (_, i) => i), pool),
    test: digitSet(split.test, permutation(split.test.count, seed + 1), pool),
  };
}
