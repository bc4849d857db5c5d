import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { diehlCook, loadMnist, mnistSplit, type DiehlCookOptions } from '@spikeflow/models';
import type { Experiment, ExperimentContext, ResultRow } from '../experiment.js';
import { receptiveFieldsPng } from '../receptive-fields.js';
import { stdpDigits, trainStdpMnist, type StdpMnistBudget } from '../stdp-mnist-training.js';

/**
 * Unsupervised STDP with competitive learning (Diehl & Cook 2015) on the MNIST digits. The paper's
 * rows (82.9% with 100 neurons, 87.0% with 400) come from 60,000 digits × 350 ms at dt = 0.5 ms;
 * here every step changes W [784, N] on a shared 2-core machine, so the committed budget is what
 * ran in the time box (measured: ≈ 7 ms per step for 100 neurons on lavapipe's WebGPU, 20 ms on the
 * CPU interpreter; docs/learning/stdp.md gives the budget the targets need).
 */
interface StdpVariant {
  readonly neurons: number;
  readonly target: number;
  readonly budget: StdpMnistBudget;
}

/** The paper's dynamics except as docs/learning/stdp.md lists: 100 steps of 1 ms at up to 127.5 Hz, strong direct inhibition. */
const NETWORK = { steps: 100, inhibition: 100, thetaPlus: 0.2, thresholdOffset: 0, inputGain: 1 } as const;
const SHARED = { maxRate: 127.5, minSpikes: 5, rateStep: 32, maxTries: 3 } as const;
const VARIANTS: readonly StdpVariant[] = [
  { neurons: 100, target: 0.8, budget: { ...SHARED, trainCount: 400, assignCount: 400, testCount: 500 } },
];

/** The CI version: 2×2-pooled digits (196 inputs), 20 neurons, 150 digits learned; the labels must beat chance (10%) by 15 points. */
export const QUICK = {
  network: { inputs: 196, neurons: 20, steps: 60, inhibition: 100, thetaPlus: 0.2, thresholdOffset: 0, inputGain: 4, weightTotal: 19.6 },
  budget: { ...SHARED, maxTries: 2, trainCount: 150, assignCount: 150, testCount: 200 } satisfies StdpMnistBudget,
  bar: 0.25,
} as const;

function describe(network: DiehlCookOptions, budget: StdpMnistBudget, pool: number): Record<string, number | string> {
  return {
    train: budget.trainCount,
    labelling: budget.assignCount,
    test: budget.testCount,
    passes: 1,
    T: network.steps,
    dt: `${network.stdp.dt} ms`,
    network: `${network.inputs}${pool > 1 ? ` (${pool}×${pool}-pooled digits)` : ''} Poisson inputs (intensity × ${budget.maxRate} Hz, +${budget.rateStep} Hz while < ${budget.minSpikes} output spikes, ≤ ${budget.maxTries} presentations) → ${network.neurons} LIF (τ ${network.tauMembrane} ms, refractory ${network.refractory} ms) with adaptive θ (+${network.thetaPlus} mV per spike, τ_θ ${network.tauTheta} ms) and direct lateral inhibition (${network.inhibition} mV); state reset between digits`,
    stdp: `triplet, ${network.stdp.form}, τ_pre ${network.stdp.tauPre} / τ_post ${network.stdp.tauPost} / τ_post2 ${network.stdp.tauPost2} ms, η_pre ${network.stdp.etaPre}, η_post ${network.stdp.etaPost}, w ∈ [0, ${network.stdp.wMax}], Σ_i w_ij = ${network.weightTotal}`,
    scored: 'neurons labelled by their mean response per class on training digits (W, θ frozen); a digit gets the class of the highest mean vote',
  };
}

async function runVariant(ctx: ExperimentContext, network: DiehlCookOptions, budget: StdpMnistBudget, pool: 1 | 2, target: number): Promise<ResultRow> {
  const digits = stdpDigits(mnistSplit(await loadMnist()), ctx.seed, pool);
  const device = ctx.gpu ? ({ kind: 'webgpu', gpu: ctx.gpu } as const) : ({ kind: 'cpu' } as const);
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
    device: `training: ${device.kind === 'webgpu' ? ctx.device : 'CPU reference interpreter'}; labelling and test: CPU reference interpreter`,
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
  title:
    'Unsupervised STDP with competitive learning (Diehl & Cook 2015: Poisson input, adaptive thresholds, lateral inhibition, triplet STDP, neurons labelled afterwards) on the MNIST digits (8,000 train / 2,000 held-out); targets ≥ 80% with 100 neurons, ≥ 85% with 400 (the paper: 82.9% / 87.0% on 60,000 digits). Receptive fields: examples/reproduce/results/stdp-mnist-100.png.',
  async run(ctx) {
    if (ctx.quick) return [await runVariant(ctx, diehlCook(QUICK.network), QUICK.budget, 2, QUICK.bar)];
    const rows: ResultRow[] = [];
    for (const v of VARIANTS) rows.push(await runVariant(ctx, diehlCook({ ...NETWORK, neurons: v.neurons }), v.budget, 1, v.target));
    return rows;
  },
};
