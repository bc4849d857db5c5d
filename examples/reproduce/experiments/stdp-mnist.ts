import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { diehlCook, loadMnist, mnistSplit, type DiehlCookOptions } from '@spikeflow/models';
import type { Experiment, ExperimentContext, ResultRow } from '../experiment.js';
import { receptiveFieldsPng } from '../receptive-fields.js';
import { stdpDigits, trainStdpMnist, type StdpMnistBudget } from '../stdp-mnist-training.js';

/**
 * Unsupervised STDP with competitive learning (Diehl & Cook 2015) on the MNIST digits. The paper's
 * rows (82.9% with 100 neurons, 87.0% with 400) come from 60,000 digits × 350 ms at dt = 0.5 ms;
 * here the 8,000 training digits, several passes, on the event-driven simulator of the network
 * (packages/models/src/stdp/event-driven.ts, tested equal to the graph on the CPU interpreter).
 * Passes and parameters were chosen on a validation split of the 8,000 (docs/learning/stdp.md).
 */
export interface StdpVariant {
  readonly neurons: number;
  readonly target: number;
  readonly budget: StdpMnistBudget;
  /** θ_plus (mV per spike) where it differs from NETWORK's. */
  readonly thetaPlus?: number;
}

/**
 * The paper's timing and homeostasis (350 ms at dt 0.5 ms, up to 63.75 Hz, θ_plus 0.05 mV) with
 * current-based synapses (an input spike of weight w adds w mV) and direct lateral inhibition of
 * 100 mV: on the validation split the paper's 17 mV with 0.6 mV per unit weight (its conductances
 * at v ≈ −60 mV) reached 51%, this 79% (one pass). The paper's 20 mV threshold offset comes with
 * its initial θ of 20 mV, in training and testing alike: offset 0 with θ starting at 0 is the same.
 */
export const NETWORK = { steps: 700, stdp: { dt: 0.5 }, inhibition: 100, thetaPlus: 0.05, thresholdOffset: 0, inputGain: 1 } as const;
export const SHARED = { maxRate: 63.75, minSpikes: 5, rateStep: 32, maxTries: 5, trainCount: 8000, assignCount: 8000, testCount: 2000, passes: 2 } as const;
export const VARIANTS: readonly StdpVariant[] = [
  { neurons: 100, target: 0.8, budget: SHARED },
  // Each of 400 neurons wins about a quarter as often as each of 100, so its θ grew 4× slower and
  // many neurons never learned a field; θ_plus × 4 restores the per-neuron growth. Chosen on the
  // validation split (docs/learning/stdp.md): 85.4% against 75.8% with 0.05 (two passes each).
  // Four passes, chosen on the validation split for seeds 1 and 2: 85.4 / 84.6% after two passes,
  // 86.2 / 86.6% after three, 87.4 / 88.1% after four.
  { neurons: 400, target: 0.85, budget: { ...SHARED, passes: 4 }, thetaPlus: 0.2 },
];

/** The CI version: 2×2-pooled digits (196 inputs), 20 neurons, 400 digits learned; the labels must beat chance (10%) by 20 points (it reaches ≈ 40%). */
export const QUICK = {
  network: { inputs: 196, neurons: 20, steps: 60, inhibition: 100, thetaPlus: 0.2, thresholdOffset: 0, inputGain: 4, weightTotal: 19.6 },
  budget: { maxRate: 127.5, minSpikes: 5, rateStep: 32, maxTries: 2, trainCount: 400, assignCount: 400, testCount: 500 } satisfies StdpMnistBudget,
  bar: 0.3,
} as const;

function describe(network: DiehlCookOptions, budget: StdpMnistBudget, pool: number): Record<string, number | string> {
  return {
    train: budget.trainCount,
    labelling: budget.assignCount,
    test: budget.testCount,
    passes: budget.passes ?? 1,
    T: network.steps,
    dt: `${network.stdp.dt} ms`,
    network: `${network.inputs}${pool > 1 ? ` (${pool}×${pool}-pooled digits)` : ''} Poisson inputs (intensity × ${budget.maxRate} Hz, +${budget.rateStep} Hz while < ${budget.minSpikes} output spikes, ≤ ${budget.maxTries} presentations) → ${network.neurons} LIF (τ ${network.tauMembrane} ms, refractory ${network.refractory} ms) with adaptive θ (+${network.thetaPlus} mV per spike, τ_θ ${network.tauTheta} ms) and direct lateral inhibition (${network.inhibition} mV); state reset between digits`,
    stdp: `triplet, ${network.stdp.form}, τ_pre ${network.stdp.tauPre} / τ_post ${network.stdp.tauPost} / τ_post2 ${network.stdp.tauPost2} ms, η_pre ${network.stdp.etaPre}, η_post ${network.stdp.etaPost}, w ∈ [0, ${network.stdp.wMax}], Σ_i w_ij = ${network.weightTotal}`,
    scored: 'neurons labelled by their mean response per class on training digits (W, θ frozen); a digit gets the class of the highest mean vote',
  };
}

/** The network of one variant: NETWORK at its size, with its own θ_plus where it has one. */
export function variantNetwork(v: StdpVariant): DiehlCookOptions {
  return diehlCook({ ...NETWORK, neurons: v.neurons, ...(v.thetaPlus !== undefined ? { thetaPlus: v.thetaPlus } : {}) });
}

async function runVariant(ctx: ExperimentContext, network: DiehlCookOptions, budget: StdpMnistBudget, pool: 1 | 2, target: number): Promise<ResultRow> {
  const digits = stdpDigits(mnistSplit(await loadMnist()), ctx.seed, pool);
  const device = { kind: 'event-driven' } as const;
  const run = await trainStdpMnist({ network, budget, ...digits, device, seed: ctx.seed, log: ctx.log });
  const file = path.join(ctx.resultsDir, `stdp-mnist-${network.neurons}.png`);
  writeFileSync(file, receptiveFieldsPng(run.weights, Math.round(Math.sqrt(network.inputs))));
  ctx.log(`receptive fields: ${file}`);
  return {
    experiment: 'stdp-mnist',
    model: `Diehl & Cook STDP, ${network.neurons} excitatory neurons`,
    metric: 'test accuracy',
    value: run.testAccuracy,
    target: `≥ ${target.toFixed(2)}`,
    met: run.testAccuracy >= target,
    seed: ctx.seed,
    sizes: describe(network, budget, pool),
    device: 'CPU, the event-driven simulator of the network (tested equal to its graph on the CPU interpreter)',
    wall_s: run.wall_s,
    extra: {
      receptiveFields: path.basename(file),
      labellingAccuracy: run.assignAccuracy,
      presentationsPerDigit: run.triesPerDigit,
      trainSeconds: run.trainSeconds,
    },
  };
}

export const stdpMnistExperiment: Experiment = {
  id: 'stdp-mnist',
  variants: VARIANTS.map((v) => String(v.neurons)),
  title:
    'Unsupervised STDP with competitive learning (Diehl & Cook 2015: Poisson input, adaptive thresholds, lateral inhibition, triplet STDP, neurons labelled afterwards) on the MNIST digits (8,000 train / 2,000 held-out); targets ≥ 80% with 100 neurons, ≥ 85% with 400 (the paper: 82.9% / 87.0% on 60,000 digits). Receptive fields: examples/reproduce/results/stdp-mnist-100.png and stdp-mnist-400.png.',
  async run(ctx) {
    if (ctx.quick) return [await runVariant(ctx, diehlCook(QUICK.network), QUICK.budget, 2, QUICK.bar)];
    const rows: ResultRow[] = [];
    const chosen = ctx.variants ? VARIANTS.filter((v) => ctx.variants!.includes(String(v.neurons))) : VARIANTS;
    for (const v of chosen) rows.push(await runVariant(ctx, variantNetwork(v), v.budget, 1, v.target));
    return rows;
  },
};
