import path from 'node:path';
import { episodeParts, l2lRegression, lossDrop, metaTrainL2l, stepDecay, testL2l, type MetaTrainingOutcome, type MetaTrainingRun, type TrialMse } from '@spikeflow/models';
import { lineChartSpec, type PlotSpec } from '@spikeflow/plot';
import { writePlot } from '@spikeflow/plot/node';
import { episodeSeeds } from '../episode-seeds.js';
import type { Experiment, ExperimentContext, ResultRow } from '../experiment.js';

const ID = 'l2l-regression';
/** Within an episode, the last fifth of the trials against the first fifth. */
const PART = 0.2;
/** The claims: the LSNN's last-fifth MSE at least 3× below its first fifth, and at least 2× below the β = 0 network's last fifth. */
const WITHIN_EPISODE_FACTOR = 3;
const AGAINST_LIF_FACTOR = 2;
/** The quick run must cut the mean training loss of its last 10 steps at least this many times below its first 10 steps'. */
const QUICK_LOSS_FACTOR = 1.5;
const QUICK_WINDOW = 10;

/**
 * 20 trials of 5 steps (T = 100), the last 2 of each scored; x on 10 and the previous y on 12
 * Gaussian-tuned analog channels; functions of the default family (10 tanh units, w, b ~ U[−2, 2],
 * v, c ~ U[−1, 1]). An LSNN of 20 LIF + 20 ALIF neurons, τ_m = 3, τ_out = 2, τ_a = 100 (the
 * episode), β = 1.8, b₀ = 0.3, 2 refractory steps. 30,000 Adam steps of 32 episodes (lr × 0.3
 * after 60%), chosen on the validation functions: the validation MSE still fell between 20,000 and
 * 30,000 steps. A step takes about 4 ms on one idle core of the WebAssembly backend (2 minutes per
 * network); the recorded run, on a machine busy with other jobs, took 17–19 minutes per network.
 */
const FULL: Omit<MetaTrainingRun, 'seed' | 'seeds'> = {
  task: { trials: 20, trialSteps: 5, scoredSteps: 2 },
  network: { nLif: 20, nAlif: 20, tauM: 3, tauOut: 2, tauA: 100, beta: 1.8, b0: 0.3, refractory: 2 },
  budget: { steps: 30_000, batch: 32, lr: stepDecay(0.01, { stepSize: 18_000, gamma: 0.3 }), evalEvery: 2_500, curveEpisodes: 64, evalBatch: 64 },
};
const FULL_TEST_EPISODES = 512;

const QUICK: Omit<MetaTrainingRun, 'seed' | 'seeds'> = {
  task: { trials: 8, trialSteps: 3, scoredSteps: 1 },
  network: { nLif: 8, nAlif: 8, tauM: 2, tauOut: 2, tauA: 30, beta: 1.8, refractory: 1 },
  budget: { steps: 100, batch: 16, lr: () => 0.03, evalEvery: 50, curveEpisodes: 16, evalBatch: 16 },
};
const QUICK_TEST_EPISODES = 32;

interface Trained {
  readonly model: string;
  readonly run: MetaTrainingRun;
  readonly outcome: MetaTrainingOutcome;
  readonly test: TrialMse;
  readonly wall_s: number;
}

async function train(ctx: ExperimentContext, model: string, beta: number): Promise<Trained> {
  const started = performance.now();
  const base = ctx.quick ? QUICK : FULL;
  const seeds = episodeSeeds(ctx.seed);
  const run: MetaTrainingRun = { ...base, network: { ...base.network, beta }, seed: ctx.seed, seeds: { train: seeds.train, validation: seeds.validation } };
  ctx.log(`meta-training ${model}`);
  const outcome = await metaTrainL2l(ctx.backend, run, (line) => ctx.log(`${model}: ${line}`));
  const test = await testL2l(ctx.backend, run, outcome.params, seeds.test, ctx.quick ? QUICK_TEST_EPISODES : FULL_TEST_EPISODES);
  const parts = episodeParts(test.perTrial, PART);
  ctx.log(`${model}: test MSE first fifth ${parts.first.toFixed(4)}, last fifth ${parts.last.toFixed(4)} (${(parts.first / parts.last).toFixed(2)}×)`);
  return { model, run, outcome, test, wall_s: (performance.now() - started) / 1e3 };
}

function sizes(t: Trained): Record<string, number | string> {
  const { run } = t;
  const task = l2lRegression(run.task).options;
  return {
    trials: task.trials,
    trialSteps: task.trialSteps,
    scoredSteps: task.scoredSteps,
    T: task.trials * task.trialSteps,
    inputs: `x on ${task.xCode.neurons} + previous y on ${task.yCode.neurons} Gaussian-tuned analog channels`,
    family: `${task.family.hidden} ${task.family.activation} units, w, b ~ U[−${task.family.hiddenRange}, ${task.family.hiddenRange}], v, c ~ U[−${task.family.outputRange}, ${task.family.outputRange}]`,
    nLif: run.network.nLif,
    nAlif: run.network.nAlif,
    tauM: run.network.tauM ?? 20,
    tauOut: run.network.tauOut ?? 20,
    tauA: run.network.tauA ?? 700,
    beta: run.network.beta ?? 1.8,
    b0: run.network.b0 ?? 0.01,
    steps: run.budget.steps,
    batch: run.budget.batch,
    optimizer: 'adam',
    lr: `${run.budget.lr(0)} (step 0) -> ${run.budget.lr(run.budget.steps - 1)} (last step)`,
    testEpisodes: t.test.episodes,
  };
}

function extra(t: Trained): Record<string, unknown> {
  const parts = episodeParts(t.test.perTrial, PART);
  return {
    testMseFirstFifth: parts.first,
    testMseLastFifth: parts.last,
    trialsPerPart: parts.trials,
    testMseAll: t.test.mse,
    testMsePerTrial: t.test.perTrial,
    chanceMse: l2lRegression(t.run.task).info.chance.value,
    initialValidationMse: t.outcome.initialValidationMse,
    curve: t.outcome.curve,
    trainSeconds: t.outcome.trainSeconds,
    splits: 'meta-training, validation (the curve) and test functions from disjoint task seeds (episode-seeds.ts)',
  };
}

function rows(ctx: ExperimentContext, alif: Trained, lif: Trained): ResultRow[] {
  const [a, l] = [episodeParts(alif.test.perTrial, PART), episodeParts(lif.test.perTrial, PART)];
  const common = (t: Trained) => ({ experiment: ID, model: t.model, seed: ctx.seed, sizes: sizes(t), device: ctx.device, wall_s: t.wall_s, extra: extra(t) });
  return [
    { ...common(alif), metric: 'test MSE, first fifth / last fifth of the episode', value: a.first / a.last, target: `≥ ${WITHIN_EPISODE_FACTOR}`, met: a.first >= WITHIN_EPISODE_FACTOR * a.last },
    { ...common(alif), metric: 'test MSE, last fifth of the episode', value: a.last, target: `≤ LIF's / ${AGAINST_LIF_FACTOR} = ${(l.last / AGAINST_LIF_FACTOR).toFixed(4)}`, met: AGAINST_LIF_FACTOR * a.last <= l.last },
    { ...common(lif), metric: 'test MSE, first fifth / last fifth of the episode', value: l.first / l.last },
    { ...common(lif), metric: 'test MSE, last fifth of the episode', value: l.last },
  ];
}

/** Validation MSE against meta-training steps, both networks; the family variance (answering 0) as a flat line. */
function metaCurveSpec(trained: readonly Trained[]): PlotSpec {
  const x = [0, ...trained[0]!.outcome.curve.map((p) => p.step)];
  const chance = l2lRegression(trained[0]!.run.task).info.chance.value;
  return lineChartSpec({
    title: 'Learning-to-learn regression: meta-training (validation functions)',
    yLabel: 'validation MSE',
    x,
    xLabel: 'meta-training steps (Adam)',
    series: [
      ...trained.map((t) => ({ name: t.model, values: [t.outcome.initialValidationMse, ...t.outcome.curve.map((p) => p.validationMse)] })),
      { name: 'answering 0 (family variance)', values: x.map(() => chance) },
    ],
  });
}

/** MSE of each trial of an episode on the held-out test functions, after meta-training, weights frozen. */
function withinEpisodeSpec(trained: readonly Trained[]): PlotSpec {
  const x = trained[0]!.test.perTrial.map((_, k) => k + 1);
  return lineChartSpec({
    title: 'Learning-to-learn regression: learning within one episode (test functions, weights frozen)',
    yLabel: 'test MSE',
    x,
    xLabel: 'trial of the episode',
    series: trained.map((t) => ({ name: t.model, values: t.test.perTrial })),
  });
}

export const l2lRegressionExperiment: Experiment = {
  id: ID,
  title:
    'Supervised learning-to-learn with LSNNs (Bellec et al. 2018): each episode is a new function y = f(x) drawn from random two-layer networks (10 tanh units, 1-D x), shown as 20 trials of (x_k, y_{k−1}) with y_k to be predicted, weights fixed within the episode; ' +
    'the outer loop is BPTT + Adam across episodes. Target: on held-out functions the LSNN (20 LIF + 20 ALIF) has last-fifth MSE ≥ 3× below its first fifth and ≥ 2× below the same network with β = 0 under the same budget. ' +
    'Plots: examples/reproduce/results/l2l-regression-meta.svg (meta-training), l2l-regression-trials.svg (MSE per trial).',
  async run(ctx) {
    const { network } = ctx.quick ? QUICK : FULL;
    const alif = await train(ctx, `LSNN (${network.nLif} LIF + ${network.nAlif} ALIF, β = ${network.beta})`, network.beta!);
    const lif = await train(ctx, `same network with β = 0 (${network.nLif + network.nAlif} LIF)`, 0);
    for (const t of [alif, lif]) {
      const drop = lossDrop(t.outcome.trainLosses, ctx.quick ? QUICK_WINDOW : 50);
      ctx.log(`${t.model}: meta-training loss ${drop.first.toFixed(4)} -> ${drop.last.toFixed(4)} (${drop.factor.toFixed(2)}×)`);
      if (ctx.quick && t === alif && !(drop.factor >= QUICK_LOSS_FACTOR)) {
        throw new Error(`${ID} (quick): meta-training did not cut the loss ${QUICK_LOSS_FACTOR}×: ${drop.first.toFixed(4)} -> ${drop.last.toFixed(4)}`);
      }
    }
    const files = [...(await writePlot(path.join(ctx.resultsDir, `${ID}-meta`), metaCurveSpec([alif, lif]))), ...(await writePlot(path.join(ctx.resultsDir, `${ID}-trials`), withinEpisodeSpec([alif, lif])))];
    ctx.log(`plots: ${files.join(', ')}`);
    return rows(ctx, alif, lif);
  },
};
