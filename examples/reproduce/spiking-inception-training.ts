import {
  activate,
  ClassResponses,
  permutation,
  poissonSpikeEvents,
  poolReshape,
  praShape,
  spikingInception,
  SpikingInceptionModule,
  voteClass,
  type DiehlCookMode,
  type Pooling,
  type SpikeEvents,
  type SpikingInceptionInput,
} from '@spikeflow/models';
import type { DigitSet } from './digit-set.js';
import type { StdpMnistBudget } from './stdp-mnist-training.js';

/**
 * A stack of Spiking Inception modules trained layer by layer, unsupervised, on the digits: module 1
 * learns by STDP on the digits' Poisson spikes (as the Diehl & Cook run: `passes` over `trainCount`
 * digits, a digit drawing fewer than `minSpikes` output spikes presented again at a raised rate);
 * then, frozen, it answers every labelling and held-out digit once, and those spike counts, through
 * the pooling-reshape-activate layer, are the maps module 2 learns on, and so on. Each module is
 * scored alone by the vote readout (neurons labelled by their mean response per class over the
 * labelling digits, W and θ frozen).
 */
export type InceptionModuleSpec = Omit<SpikingInceptionInput, 'side' | 'channels'>;

export interface InceptionLayerScore {
  readonly layer: number;
  readonly neurons: number;
  /** The side of the square map this module read (28 for the digits). */
  readonly inputSide: number;
  readonly testAccuracy: number;
  readonly assignAccuracy: number;
  readonly presentationsPerDigit: number;
  /** Seconds this module took: learning, then its frozen answers to every digit. */
  readonly seconds: number;
}

export interface InceptionStackRun {
  readonly layers: readonly InceptionLayerScore[];
  readonly modules: readonly SpikingInceptionModule[];
  readonly wall_s: number;
}

/** Maps to present: the digits, or a module's pooled answers. `encode` turns one into spike events. */
interface LayerInput {
  readonly side: number;
  readonly train: (k: number) => Float32Array;
  readonly test: (k: number) => Float32Array;
  readonly encode: typeof poissonSpikeEvents;
}

/** One map, re-presented at a raised rate until the module fires `minSpikes` (or `maxTries` runs). */
function presentMap(module: SpikingInceptionModule, map: Float32Array, encode: LayerInput['encode'], mode: DiehlCookMode, budget: StdpMnistBudget, dt: number, rng: { seed: number }): { counts: Float32Array; tries: number } {
  for (let tries = 1; ; tries++) {
    const drawn: { events: SpikeEvents; seed: number } = encode(map, module.steps, { maxRate: budget.maxRate + (tries - 1) * budget.rateStep, dt, seed: rng.seed });
    rng.seed = drawn.seed;
    const counts = module.present(drawn.events, mode);
    if (tries >= budget.maxTries || counts.reduce((a, b) => a + b, 0) >= budget.minSpikes) return { counts, tries };
  }
}

function checkBudget(budget: StdpMnistBudget, train: DigitSet, test: DigitSet, layers: number): void {
  const passes = budget.passes ?? 1;
  if (!Number.isInteger(passes) || passes < 1) throw new Error(`the budget's passes must be a positive integer, not ${passes}`);
  if (budget.trainCount > train.labels.length || budget.assignCount > train.labels.length || budget.testCount > test.labels.length) {
    throw new Error(`the budget needs ${Math.max(budget.trainCount, budget.assignCount)} training and ${budget.testCount} held-out digits; there are ${train.labels.length} and ${test.labels.length}`);
  }
  // A later module learns on the frozen answers of the one below, which exist for the labelling digits only.
  if (layers > 1 && budget.trainCount > budget.assignCount) throw new Error(`a stack learns its upper modules on the labelling digits: trainCount ${budget.trainCount} must not exceed assignCount ${budget.assignCount}`);
}

export function trainInceptionStack(options: {
  readonly modules: readonly InceptionModuleSpec[];
  /** The pooling of the PRA layer between modules. */
  readonly pooling: Pooling;
  readonly budget: StdpMnistBudget;
  readonly train: DigitSet;
  readonly test: DigitSet;
  readonly seed: number;
  readonly log?: (line: string) => void;
}): InceptionStackRun {
  const { budget, train, test, seed, pooling, log = () => {} } = options;
  const start = performance.now();
  checkBudget(budget, train, test, options.modules.length);
  const passes = budget.passes ?? 1;
  const order = permutation(train.labels.length, seed);
  const rng = { seed: (seed * 2654435761) >>> 0 };
  const image = (set: DigitSet, k: number) => set.images.subarray(k * set.pixels, (k + 1) * set.pixels);
  // Labelling digit j is train digit order[j]; layer 1 reads the images, later layers the maps below.
  let input: LayerInput = { side: Math.round(Math.sqrt(train.pixels)), train: (j) => image(train, order[j]!), test: (k) => image(test, k), encode: poissonSpikeEvents };
  const layers: InceptionLayerScore[] = [];
  const modules: SpikingInceptionModule[] = [];
  for (const [l, spec] of options.modules.entries()) {
    const layerStart = performance.now();
    const module = new SpikingInceptionModule(spikingInception({ ...spec, side: input.side, channels: 1 }), seed + 7919 * l);
    const dt = module.options.network.stdp.dt;
    log(`module ${l + 1}: ${module.neurons} neurons on a ${input.side}×${input.side} map`);
    let tries = 0;
    for (let pass = 0; pass < passes; pass++) {
      const shuffle = pass === 0 ? null : permutation(budget.trainCount, seed + 7919 * pass);
      for (let k = 0; k < budget.trainCount; k++) {
        tries += presentMap(module, input.train(shuffle ? shuffle[k]! : k), input.encode, 'train', budget, dt, rng).tries;
        const done = pass * budget.trainCount + k + 1;
        if (done % Math.max(1, Math.floor((passes * budget.trainCount) / 5)) === 0) log(`module ${l + 1}, pass ${pass + 1}/${passes}: ${k + 1}/${budget.trainCount} digits (${((performance.now() - start) / 1000).toFixed(0)} s)`);
      }
    }
    const answer = (map: Float32Array) => presentMap(module, map, input.encode, 'test', budget, dt, rng).counts;
    const assignCounts = Array.from({ length: budget.assignCount }, (_, j) => answer(input.train(j)));
    const testCounts = Array.from({ length: budget.testCount }, (_, k) => answer(input.test(k)));
    const responses = new ClassResponses(module.neurons);
    assignCounts.forEach((c, j) => responses.add(c, train.labels[order[j]!]!));
    const assignments = responses.assignments();
    const accuracy = (counts: Float32Array[], label: (k: number) => number) => counts.filter((c, k) => voteClass(c, assignments) === label(k)).length / counts.length;
    const score: InceptionLayerScore = {
      layer: l + 1,
      neurons: module.neurons,
      inputSide: input.side,
      testAccuracy: accuracy(testCounts, (k) => test.labels[k]!),
      assignAccuracy: accuracy(assignCounts, (j) => train.labels[order[j]!]!),
      presentationsPerDigit: tries / (passes * budget.trainCount),
      seconds: (performance.now() - layerStart) / 1000,
    };
    log(`module ${l + 1}: labelling digits ${(100 * score.assignAccuracy).toFixed(1)}%, held-out ${(100 * score.testAccuracy).toFixed(2)}% (${score.seconds.toFixed(0)} s)`);
    layers.push(score);
    modules.push(module);
    const layouts = module.layouts();
    const assignMaps = assignCounts.map((c) => poolReshape(c, layouts, pooling).map);
    const testMaps = testCounts.map((c) => poolReshape(c, layouts, pooling).map);
    input = { side: praShape(layouts, pooling).side, train: (j) => assignMaps[j]!, test: (k) => testMaps[k]!, encode: activate };
  }
  return { layers, modules, wall_s: (performance.now() - start) / 1000 };
}
