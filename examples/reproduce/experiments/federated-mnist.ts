import path from 'node:path';
import { loadMnist, mnistSplit } from '@spikeflow/models';
import { lineChartSpec, type PlotSpec } from '@spikeflow/plot';
import { writePlot } from '@spikeflow/plot/node';
import type { Experiment, ExperimentContext, ResultRow } from '../experiment.js';
import { federatedMnistData, trainFederatedMnist, type CurvePoint, type FederatedMnistBudget, type FederatedMnistRun } from '../federated-mnist-training.js';

/** The claim checked: FedAvg on the non-IID split within 5 points of centralised training with the same samples. */
const MAX_GAP = 0.05;
export const TAUS = [1, 5, 20] as const;
/** The plot's files in the results directory: `<name>.svg` and `<name>.png`. */
export const PLOT_NAME = 'federated-mnist';

/**
 * 196-64-10 LIF, T = 6, batch 20, plain SGD (lr 1.0), 40,000 samples per run (five passes over the
 * 7,000 training digits), chosen on the 1,000 validation digits (seed 1): see
 * docs/learning/federated.md for the runs behind the choice.
 */
export const BUDGET: FederatedMnistBudget = { hidden: 64, steps: 6, batch: 20, optimizer: 'sgd', lr: 1.0, clients: 10, classesPerClient: 2, samples: 40_000, evaluations: 5, validation: 1000 };

/** The CI version: τ = 5 only beside the centralised run, 4,000 samples (4 rounds), 500 test digits; FedAvg must beat chance (10%) by 20 points. */
export const QUICK_BUDGET: FederatedMnistBudget = { ...BUDGET, samples: 4000, evaluations: 2, validation: 500, testCount: 500 };
export const QUICK_TAUS = [5] as const;
export const QUICK_BAR = 0.3;

const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

/** What the plot needs of a run (results/latest.json keeps it, so the plot can be redrawn without training). */
export type PlottedRun = Pick<FederatedMnistRun, 'tau' | 'curve'>;

/** Validation accuracy against megabytes sent (up and down), one line per τ, on a log x axis; the centralised run's last accuracy as a flat line. */
export function accuracyBytesSpec(central: PlottedRun, runs: readonly PlottedRun[]): PlotSpec {
  const x = [...new Set(runs.flatMap((r) => r.curve.map((p) => p.bytes)))].sort((a, b) => a - b);
  const at = (run: PlottedRun) => x.map((bytes) => run.curve.find((p) => p.bytes === bytes)?.validationAccuracy ?? null).map((v) => (v === null ? null : 100 * v));
  const centralAccuracy = 100 * central.curve[central.curve.length - 1]!.validationAccuracy;
  return lineChartSpec({
    title: 'FedAvg on non-IID MNIST (10 clients, 2 classes each): accuracy vs bytes',
    yLabel: 'validation accuracy (%)',
    x: x.map((b) => +(b / 1e6).toPrecision(3)),
    xLabel: 'megabytes sent, up + down (log)',
    logX: true,
    series: [...runs.map((run) => ({ name: `FedAvg τ = ${run.tau}`, values: at(run) })), { name: 'centralised (no traffic)', values: x.map(() => centralAccuracy) }],
  });
}

/** A saved row's curve (results/latest.json), checked: one error line names the row and the field. */
function savedCurve(row: ResultRow): PlottedRun['curve'] {
  const curve = row.extra?.curve;
  const valid = Array.isArray(curve) && curve.every((p: unknown) => typeof p === 'object' && p !== null && Number.isFinite((p as CurvePoint).bytes) && Number.isFinite((p as CurvePoint).validationAccuracy));
  if (!valid) throw new Error(`federated-mnist row "${row.model}": extra.curve is not a list of { bytes, validationAccuracy } numbers`);
  return curve as CurvePoint[];
}

/** The plot again from one seed's saved rows, without training. */
export function accuracyBytesSpecFromRows(rows: readonly ResultRow[]): PlotSpec {
  const runs = rows.map((r) => ({ tau: r.sizes.localSteps === 'all' ? ('centralised' as const) : Number(r.sizes.localSteps), curve: savedCurve(r) }));
  const central = runs.find((r) => r.tau === 'centralised');
  if (central === undefined) throw new Error('federated-mnist: no centralised row to draw the reference line from');
  return accuracyBytesSpec(central, runs.filter((r) => r !== central));
}

function row(ctx: ExperimentContext, budget: FederatedMnistBudget, run: FederatedMnistRun, central: FederatedMnistRun): ResultRow {
  const isCentral = run.tau === 'centralised';
  const bar = ctx.quick ? QUICK_BAR : central.testAccuracy - MAX_GAP;
  const target = ctx.quick ? `≥ ${QUICK_BAR} (chance 0.10 + 0.20)` : `≥ ${bar.toFixed(4)} (centralised ${percent(central.testAccuracy)} − 5 points)`;
  return {
    experiment: 'federated-mnist',
    model: isCentral ? 'centralised (pooled digits, plain SGD)' : `FedAvg τ = ${run.tau}`,
    metric: 'test accuracy',
    value: run.testAccuracy,
    ...(isCentral ? {} : { target, met: run.testAccuracy >= bar }),
    seed: ctx.seed,
    sizes: {
      network: `196-${budget.hidden}-10 LIF (τ_mem 2, detached reset), 2×2-pooled digits rate-coded over T = ${budget.steps}, output spike counts scored by cross-entropy`,
      clients: isCentral ? 1 : budget.clients,
      split: isCentral ? 'every training digit on one client' : `non-IID, ${budget.classesPerClient} classes per client (seeded)`,
      localSteps: isCentral ? 'all' : run.tau,
      rounds: run.rounds,
      samples: budget.samples,
      batch: budget.batch,
      optimizer: `${budget.optimizer}, lr ${budget.lr}, constant`,
      validation: budget.validation,
      upload: isCentral ? 'none' : 'float32 params, 4 bytes a value',
      download: isCentral ? 'none' : 'float32 global params to every client each round',
    },
    device: ctx.device,
    wall_s: run.wall_s,
    extra: {
      upBytes: run.upBytes,
      downBytes: run.downBytes,
      curve: run.curve,
    },
  };
}

export const federatedMnistExperiment: Experiment = {
  id: 'federated-mnist',
  title:
    'Federated learning of an SNN (Skatchkovsky, Jang & Simeone, ICASSP 2020; FedAvg of McMahan et al. 2017): a 196-64-10 rate-coded LIF network on MNIST digits dealt non-IID to 10 clients (two classes each), ' +
    'averaged every τ = 1, 5, 20 local SGD steps, against centralised training with the same 40,000 samples; target: FedAvg within 5 points of centralised. Accuracy vs bytes: examples/reproduce/results/federated-mnist.svg.',
  async run(ctx) {
    const budget = ctx.quick ? QUICK_BUDGET : BUDGET;
    const data = federatedMnistData(mnistSplit(await loadMnist()), budget, ctx.seed);
    const train = (tau: number | 'centralised') => trainFederatedMnist({ backend: ctx.backend, budget, data, tau, seed: ctx.seed, log: ctx.log });
    const central = await train('centralised');
    const runs: FederatedMnistRun[] = [];
    for (const tau of ctx.quick ? QUICK_TAUS : TAUS) runs.push(await train(tau));
    const files = await writePlot(path.join(ctx.resultsDir, PLOT_NAME), accuracyBytesSpec(central, runs));
    ctx.log(`plot: ${files.join(', ')}`);
    return [central, ...runs].map((run) => row(ctx, budget, run, central));
  },
};
