import { evaluate, tensor, type Graph, type HostTensor } from '@spikeflow/core';
import {
  ClassResponses,
  DIEHL_COOK,
  denseSpikes,
  diehlCookGraph,
  EventDrivenDiehlCook,
  permutation,
  poissonSpikeEvents,
  voteClass,
  type DiehlCookMode,
  type DiehlCookOptions,
  type MnistSplit,
  type SpikeEvents,
} from '@spikeflow/models';
import { compile, type Executable } from '@spikeflow/webgpu';
import { digitSet, subsetDigits, type DigitSet } from './digit-set.js';

/**
 * Unsupervised STDP on the MNIST digits, as Diehl & Cook 2015 train it: the training digits are
 * presented (`passes` times, shuffled anew each pass) as Poisson spike trains with learning on
 * (W and θ advance); then, with W and θ frozen, each neuron is labelled by its mean response per
 * class over training digits, and a held-out digit is given the class whose neurons respond most.
 * A digit that draws fewer than `minSpikes` output spikes is presented again with the input rate
 * raised by `rateStep` Hz.
 */
export interface StdpMnistBudget {
  /** Training digits presented with learning on, per pass. */
  readonly trainCount: number;
  /** Passes over those digits (1 when absent). */
  readonly passes?: number;
  /** Training digits (the first of the first pass's order, so learned ones) presented frozen to label the neurons. */
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

/**
 * Where the presentations run: the graph on the CPU interpreter or on WebGPU (the frozen ones then
 * on the CPU interpreter), or all of them on the event-driven simulator of the same network.
 */
export type StdpTrainDevice = { readonly kind: 'cpu' } | { readonly kind: 'webgpu'; readonly gpu: GPUDevice } | { readonly kind: 'event-driven' };

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
  /** Seconds spent in the learning passes (with any scoring between them). */
  readonly trainSeconds: number;
  /** The scores after each pass in `scoreAfterPasses`, then after the last. */
  readonly passScores: readonly PassScore[];
  readonly wall_s: number;
}

export interface PassScore {
  readonly passes: number;
  readonly testAccuracy: number;
  readonly assignAccuracy: number;
}

/** Runs presentations of one network, keeping W and θ between calls. */
interface Presenter {
  present(spikes: SpikeEvents): Promise<Float32Array>;
  readState(): Promise<{ w: HostTensor; theta: HostTensor }>;
  destroy(): void;
}

function cpuPresenter(graph: Graph, options: DiehlCookOptions, seed: number, state?: Record<string, HostTensor>): Presenter {
  let current = state;
  return {
    async present(spikes) {
      const r = evaluate(graph, { inputs: { [DIEHL_COOK.spikes]: tensor([options.steps, 1, options.inputs], denseSpikes(spikes)) }, ...(current ? { state: current } : {}) }, { seed });
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
      const r = await exe.run({ [DIEHL_COOK.spikes]: tensor([options.steps, 1, options.inputs], denseSpikes(spikes)) });
      return r[DIEHL_COOK.counts]!.data as Float32Array;
    },
    async readState() {
      const s = await exe.readState([DIEHL_COOK.weights, DIEHL_COOK.theta]);
      return { w: s[DIEHL_COOK.weights]!, theta: s[DIEHL_COOK.theta]! };
    },
    destroy: () => exe.destroy(),
  };
}

function eventPresenter(simulator: EventDrivenDiehlCook, options: DiehlCookOptions, mode: DiehlCookMode): Presenter {
  return {
    present: async (spikes) => simulator.present(spikes, mode).counts,
    readState: async () => ({ w: tensor([options.inputs, options.neurons], simulator.w.slice()), theta: tensor([1, options.neurons], simulator.theta.slice()) }),
    destroy() {},
  };
}

/** One digit, re-presented at a raised rate until it draws `minSpikes` output spikes (or `maxTries` runs). */
async function presentDigit(presenter: Presenter, image: Float32Array, options: DiehlCookOptions, budget: StdpMnistBudget, rng: { seed: number }): Promise<{ counts: Float32Array; tries: number }> {
  let counts: Float32Array = new Float32Array(options.neurons);
  for (let tries = 1; ; tries++) {
    const maxRate = budget.maxRate + (tries - 1) * budget.rateStep;
    const drawn = poissonSpikeEvents(image, options.steps, { maxRate, dt: options.stdp.dt, seed: rng.seed });
    rng.seed = drawn.seed;
    counts = await presenter.present(drawn.events);
    if (tries >= budget.maxTries || counts.reduce((a, b) => a + b, 0) >= budget.minSpikes) return { counts, tries };
  }
}

function learner(network: DiehlCookOptions, device: StdpTrainDevice, seed: number): Promise<Presenter> | Presenter {
  if (device.kind === 'event-driven') return eventPresenter(new EventDrivenDiehlCook(network, EventDrivenDiehlCook.initialState(network, seed)), network, 'train');
  const graph = diehlCookGraph(network, 'train');
  return device.kind === 'webgpu' ? webgpuPresenter(graph, network, seed, device.gpu) : cpuPresenter(graph, network, seed);
}

function frozen(network: DiehlCookOptions, device: StdpTrainDevice, seed: number, state: { w: HostTensor; theta: HostTensor }): Presenter {
  if (device.kind === 'event-driven') return eventPresenter(new EventDrivenDiehlCook(network, { w: state.w.data, theta: state.theta.data }), network, 'test');
  return cpuPresenter(diehlCookGraph(network, 'test'), network, seed, { [DIEHL_COOK.weights]: state.w, [DIEHL_COOK.theta]: state.theta });
}

/**
 * W and θ frozen (no threshold offset): labels the neurons by the first `assignCount` digits of
 * `order`, then scores the held-out digits by their vote.
 */
async function scoreFrozen(
  network: DiehlCookOptions,
  device: StdpTrainDevice,
  seed: number,
  state: { w: HostTensor; theta: HostTensor },
  train: DigitSet,
  test: DigitSet,
  order: ArrayLike<number>,
  budget: StdpMnistBudget,
  rng: { seed: number },
): Promise<{ testAccuracy: number; assignAccuracy: number; assignments: Int32Array }> {
  const imageOf = (set: DigitSet, k: number) => set.images.subarray(k * set.pixels, (k + 1) * set.pixels);
  const scoring = frozen(network, device, seed, state);
  const responses = new ClassResponses(network.neurons);
  const assignCounts: Float32Array[] = [];
  for (let k = 0; k < budget.assignCount; k++) {
    const { counts } = await presentDigit(scoring, imageOf(train, order[k]!), network, budget, rng);
    responses.add(counts, train.labels[order[k]!]!);
    assignCounts.push(counts.slice());
  }
  const assignments = responses.assignments();
  const assignAccuracy = assignCounts.filter((c, k) => voteClass(c, assignments) === train.labels[order[k]!]).length / budget.assignCount;
  let correct = 0;
  for (let k = 0; k < budget.testCount; k++) {
    const { counts } = await presentDigit(scoring, imageOf(test, k), network, budget, rng);
    if (voteClass(counts, assignments) === test.labels[k]) correct++;
  }
  return { testAccuracy: correct / budget.testCount, assignAccuracy, assignments };
}

export async function trainStdpMnist(options: {
  readonly network: DiehlCookOptions;
  readonly budget: StdpMnistBudget;
  readonly train: DigitSet;
  readonly test: DigitSet;
  readonly device: StdpTrainDevice;
  readonly seed: number;
  readonly log?: (line: string) => void;
  /**
   * Also score (label, then vote on `test`) after these earlier passes, W and θ frozen at that
   * point: each score equals what a run with that many passes reports (the scoring draws from a
   * copy of the spike generator's state, so learning goes on unchanged). For choosing `passes`.
   */
  readonly scoreAfterPasses?: readonly number[];
}): Promise<StdpMnistRun> {
  const { network, budget, train, test, device, seed, log = () => {}, scoreAfterPasses = [] } = options;
  const start = performance.now();
  const passes = budget.passes ?? 1;
  if (train.pixels !== network.inputs || test.pixels !== network.inputs) throw new Error(`the digits have ${train.pixels} pixels but the network ${network.inputs} inputs`);
  if (!Number.isInteger(passes) || passes < 1) throw new Error(`the budget's passes must be a positive integer, not ${passes}`);
  if (budget.trainCount > train.labels.length || budget.assignCount > train.labels.length || budget.testCount > test.labels.length) {
    throw new Error(`the budget needs ${Math.max(budget.trainCount, budget.assignCount)} training and ${budget.testCount} held-out digits; there are ${train.labels.length} and ${test.labels.length}`);
  }
  const order = permutation(train.labels.length, seed);
  const imageOf = (set: DigitSet, k: number) => set.images.subarray(k * set.pixels, (k + 1) * set.pixels);
  const rng = { seed: (seed * 2654435761) >>> 0 };

  const learning = await learner(network, device, seed);
  let tries = 0;
  let state: { w: HostTensor; theta: HostTensor };
  const passScores: PassScore[] = [];
  try {
    for (let pass = 0; pass < passes; pass++) {
      // Pass 0 learns the first trainCount digits of `order`; later passes the same digits reshuffled.
      const shuffle = pass === 0 ? null : permutation(budget.trainCount, seed + 7919 * pass);
      for (let k = 0; k < budget.trainCount; k++) {
        tries += (await presentDigit(learning, imageOf(train, order[shuffle ? shuffle[k]! : k]!), network, budget, rng)).tries;
        const done = pass * budget.trainCount + k + 1;
        if (done % Math.max(1, Math.floor((passes * budget.trainCount) / 10)) === 0) log(`pass ${pass + 1}/${passes}: ${k + 1}/${budget.trainCount} digits (${((performance.now() - start) / 1000).toFixed(0)} s, ${(tries / done).toFixed(2)} presentations per digit)`);
      }
      if (pass + 1 < passes && scoreAfterPasses.includes(pass + 1)) {
        const score = await scoreFrozen(network, device, seed, await learning.readState(), train, test, order, budget, { seed: rng.seed });
        passScores.push({ passes: pass + 1, testAccuracy: score.testAccuracy, assignAccuracy: score.assignAccuracy });
        log(`after ${pass + 1} passes: labelling digits ${(100 * score.assignAccuracy).toFixed(1)}%, held-out ${(100 * score.testAccuracy).toFixed(2)}%`);
      }
    }
    state = await learning.readState();
  } finally {
    learning.destroy();
  }
  const trainSeconds = (performance.now() - start) / 1000;
  const { testAccuracy, assignAccuracy, assignments } = await scoreFrozen(network, device, seed, state, train, test, order, budget, rng);
  passScores.push({ passes, testAccuracy, assignAccuracy });
  log(`labelled by ${budget.assignCount} training digits (their accuracy ${(100 * assignAccuracy).toFixed(1)}%); held-out accuracy ${(100 * testAccuracy).toFixed(2)}% on ${budget.testCount} digits`);
  return { testAccuracy, assignAccuracy, weights: state.w, theta: state.theta, assignments, triesPerDigit: tries / (passes * budget.trainCount), trainSeconds, passScores, wall_s: (performance.now() - start) / 1000 };
}

/**
 * A validation split carved from the training digits: the last `count` of a fixed shuffle are
 * held out as `test`, the rest are `train`. Budgets and parameters are chosen on it, never on the
 * split's own held-out digits.
 */
export function validationDigits(train: DigitSet, count: number, seed: number): { train: DigitSet; test: DigitSet } {
  const n = train.labels.length;
  if (!Number.isInteger(count) || count <= 0 || count >= n) throw new Error(`a validation split needs 0 < count < ${n}, not ${count}`);
  const order = permutation(n, seed + 104729);
  return { train: subsetDigits(train, order.slice(0, n - count)), test: subsetDigits(train, order.slice(n - count)) };
}

/** The split's held-out digits in a fixed shuffled order, and all its training digits, at `pool`. */
export function stdpDigits(split: MnistSplit, seed: number, pool: 1 | 2 = 1): { train: DigitSet; test: DigitSet } {
  return {
    train: digitSet(split.train, Array.from({ length: split.train.count }, (_, i) => i), pool),
    test: digitSet(split.test, permutation(split.test.count, seed + 1), pool),
  };
}
