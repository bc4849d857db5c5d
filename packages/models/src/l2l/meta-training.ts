import { fail, trace, type Graph, type HostTensor, type Runner, type StepRunner, type Tensor, type TrainBackend } from '@spikeflow/core';
import { lsnn, type LsnnOptions } from '../lsnn/network.js';
import { lsnnRateRegularizer } from '../losses/rate-regularizer.js';
import { adam } from '../optim/adam.js';
import { paramNames } from '../param-names.js';
import type { Schedule } from '../schedules/schedule.js';
import type { TaskBatch } from '../tasks/task.js';
import { trainingGraph } from '../training-graph.js';
import { l2lRegression, type L2lRegressionOptions } from './regression-task.js';
import { trialSquaredErrors } from './trial-errors.js';

/**
 * The outer loop of supervised learning-to-learn: the LSNN's weights are trained by BPTT and Adam
 * across episodes, each a fresh function of the family; within an episode they are fixed, so
 * whatever the network learns about that episode's function lives in its activity (membrane
 * potentials, adaptive thresholds, recurrent spikes).
 */
export type L2lNetwork = Omit<LsnnOptions, 'inputs' | 'outputs'>;

export interface MetaTrainingBudget {
  /** Adam steps, each on `batch` fresh episodes. */
  readonly steps: number;
  readonly batch: number;
  readonly lr: Schedule;
  /** Held-out (validation) evaluation every this many steps: the learning curve. */
  readonly evalEvery: number;
  /** Episodes of each learning-curve evaluation. */
  readonly curveEpisodes: number;
  /** Episodes per forward call when evaluating. */
  readonly evalBatch: number;
}

export interface MetaTrainingRun {
  readonly task: Partial<L2lRegressionOptions>;
  readonly network: L2lNetwork;
  readonly budget: MetaTrainingBudget;
  /** The LSNN paper's firing-rate regularizer, added to the loss. */
  readonly rateRegularizer?: { readonly targetHz: number; readonly weight: number };
  /** Init seed of the weights. */
  readonly seed: number;
  /** Training step k uses task seed `train + k`; curve evaluation batch j uses `validation + j`. */
  readonly seeds: { readonly train: number; readonly validation: number };
}

export interface MetaCurvePoint {
  readonly step: number;
  /** Mean training loss over the steps since the previous point. */
  readonly trainLoss: number;
  /** Masked MSE over every scored step of the validation episodes. */
  readonly validationMse: number;
}

export interface MetaTrainingOutcome {
  readonly curve: readonly MetaCurvePoint[];
  /** The loss of every training step, in order. */
  readonly trainLosses: readonly number[];
  /** Validation MSE before the first step. */
  readonly initialValidationMse: number;
  /** The trained weights, by param name. */
  readonly params: Readonly<Record<string, HostTensor>>;
  readonly trainSeconds: number;
}

/** Σ mask·(readout − target)² / Σ mask over [T, B, 1] readout and targets and a [T, B] mask. */
function maskedMse(readout: Tensor, targets: Tensor, mask: Tensor): Tensor {
  const d = readout.sub(targets).sum(-1);
  return d.mul(d).mul(mask).sum().div(mask.sum().maximum(1));
}

/** The LSNN on the task's input as a graph of batch `batch`, outputs `loss` and `readout`. */
export function l2lModel(run: Pick<MetaTrainingRun, 'task' | 'network' | 'rateRegularizer'>, batch: number): Graph {
  const { info } = l2lRegression(run.task);
  const net = lsnn({ ...run.network, inputs: info.inputSize, outputs: 1 });
  return trace((b) => {
    const p = net(b, b.input('x', [info.steps, batch, info.inputSize]));
    let loss = maskedMse(p.readout, b.input('targets', [info.steps, batch, 1]), b.input('mask', [info.steps, batch]));
    if (run.rateRegularizer !== undefined) loss = loss.add(lsnnRateRegularizer(p.spikes, { ...run.rateRegularizer, dtMs: p.config.dt }));
    return { loss, readout: p.readout };
  });
}

export const l2lFeeds = (batch: TaskBatch): Record<string, HostTensor> => ({ x: batch.inputs.x!, targets: batch.targets, mask: batch.mask });

export interface TrialMse {
  /** MSE of each trial, averaged over the episodes and the trial's scored steps. */
  readonly perTrial: readonly number[];
  /** Over every scored step. */
  readonly mse: number;
  readonly episodes: number;
}

/**
 * Per-trial MSE of a compiled forward model (`l2lModel` of batch `evalBatch`, params already set)
 * over `episodes` episodes: batch j has task seed `seedBase + j`. Every episode starts from the
 * initial state, so nothing carries over from the previous function.
 */
export async function evaluateTrials(forward: Runner, task: Partial<L2lRegressionOptions>, seedBase: number, episodes: number, evalBatch: number): Promise<TrialMse> {
  const t = l2lRegression(task);
  const sums = new Float64Array(t.options.trials);
  let count = 0;
  for (let j = 0; j * evalBatch < episodes; j++) {
    const batch = t.batch(evalBatch, seedBase + j);
    forward.resetState();
    const out = await forward.run(l2lFeeds(batch));
    const e = trialSquaredErrors(out.readout!, batch, t.options);
    e.sums.forEach((s, k) => (sums[k] += s));
    count += e.count;
  }
  const perTrial = Array.from(sums, (s) => s / count);
  return { perTrial, mse: perTrial.reduce((a, v) => a + v, 0) / perTrial.length, episodes: (count / t.options.scoredSteps) | 0 };
}

function expectPositiveInt(where: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) fail('attr', where, 'must be a positive integer', 'an integer >= 1', String(value));
}

async function validationMse(run: MetaTrainingRun, forward: Runner, step: StepRunner, names: readonly string[]): Promise<number> {
  forward.setParams(await step.readState(names));
  return (await evaluateTrials(forward, run.task, run.seeds.validation, run.budget.curveEpisodes, run.budget.evalBatch)).mse;
}

/** Meta-trains one LSNN and returns its weights, its training losses and its validation curve. */
export async function metaTrainL2l(backend: TrainBackend, run: MetaTrainingRun, log: (line: string) => void = () => {}): Promise<MetaTrainingOutcome> {
  const { budget } = run;
  for (const key of ['steps', 'batch', 'evalEvery', 'curveEpisodes', 'evalBatch'] as const) expectPositiveInt(`budget.${key}`, budget[key]);
  const task = l2lRegression(run.task);
  const model = l2lModel(run, budget.batch);
  const names = paramNames(model);
  const step = await backend.compileTrainStep(trainingGraph(model, { loss: 'loss', optimizer: adam() }), { seed: run.seed });
  const forward = await backend.compile(l2lModel(run, budget.evalBatch), { seed: run.seed });
  try {
    const initialValidationMse = await validationMse(run, forward, step, names);
    const curve: MetaCurvePoint[] = [];
    const trainLosses: number[] = [];
    let sinceLast = 0;
    const start = performance.now();
    for (let k = 0; k < budget.steps; k++) {
      const loss = await step.stepWithLoss({ ...l2lFeeds(task.batch(budget.batch, run.seeds.train + k)), lr: budget.lr(k) });
      if (!Number.isFinite(loss)) fail('nan', `step ${k}`, 'the meta-training loss is not finite', 'a finite loss', String(loss));
      trainLosses.push(loss);
      sinceLast++;
      if ((k + 1) % budget.evalEvery === 0 || k + 1 === budget.steps) {
        const trainLoss = trainLosses.slice(-sinceLast).reduce((a, v) => a + v, 0) / sinceLast;
        const validation = await validationMse(run, forward, step, names);
        curve.push({ step: k + 1, trainLoss, validationMse: validation });
        log(`step ${k + 1}/${budget.steps}: train loss ${trainLoss.toFixed(4)}, validation MSE ${validation.toFixed(4)} (${((performance.now() - start) / 1e3).toFixed(0)} s)`);
        sinceLast = 0;
      }
    }
    const trainSeconds = (performance.now() - start) / 1e3;
    return { curve, trainLosses, initialValidationMse, params: await step.readState(names), trainSeconds };
  } finally {
    step.destroy();
    forward.destroy();
  }
}

/** Per-trial MSE of trained weights on `episodes` episodes from task seed `seedBase` (the held-out test). */
export async function testL2l(backend: TrainBackend, run: MetaTrainingRun, params: Readonly<Record<string, HostTensor>>, seedBase: number, episodes: number): Promise<TrialMse> {
  const forward = await backend.compile(l2lModel(run, run.budget.evalBatch), { seed: run.seed });
  try {
    forward.setParams(params);
    return await evaluateTrials(forward, run.task, seedBase, episodes, run.budget.evalBatch);
  } finally {
    forward.destroy();
  }
}

/** Mean of the first `n` training losses against the last `n`: how far meta-training brought the loss down. */
export function lossDrop(losses: readonly number[], n: number): { first: number; last: number; factor: number } {
  if (losses.length < 2 * n) fail('attr', 'n', 'needs two disjoint windows of losses', `<= ${Math.floor(losses.length / 2)}`, String(n));
  const mean = (v: readonly number[]) => v.reduce((a, x) => a + x, 0) / v.length;
  const [first, last] = [mean(losses.slice(0, n)), mean(losses.slice(-n))];
  return { first, last, factor: first / last };
}
