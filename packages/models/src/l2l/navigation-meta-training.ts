import { fail, type Graph, type HostTensor, type Runner, type TrainBackend } from '@spikeflow/core';
import { adam } from '../optim/adam.js';
import { paramNames } from '../param-names.js';
import type { A2cLossOptions } from '../rl/a2c-loss.js';
import { timeMajorReturns } from '../rl/returns.js';
import type { Schedule } from '../schedules/schedule.js';
import { trainingGraph } from '../training-graph.js';
import type { ArenaInputCode } from './arena-inputs.js';
import { describeFinds, summarizeFinds, type FindSummary, type FindTimes } from './find-times.js';
import { NAVIGATION_FEEDS, navigationStepModel, navigationTrainingModel, type NavigationAgentOptions } from './navigation-agent.js';
import type { NavigationArenaOptions } from './navigation-arena.js';
import { playNavigation, type NavigationRollout } from './navigation-rollout.js';

/**
 * The outer loop of meta-RL navigation: advantage actor-critic (A2C) across batches of episodes,
 * each episode a fresh goal. An update plays `batch` whole episodes with the current weights
 * (actions drawn from the policy), computes discounted returns G_t = r_t + γ G_{t+1} (G = 0 after
 * the last step), replays the episodes' inputs through the training model, which recomputes the
 * same network states, and takes one Adam step on the A2C loss over every step: BPTT through the
 * whole episode. Within an episode the weights never change.
 */
export interface NavigationRun {
  readonly arena: Required<NavigationArenaOptions>;
  readonly agent: NavigationAgentOptions;
  readonly inputCode: Pick<ArenaInputCode, 'width' | 'gain'>;
  readonly gamma: number;
  /** The search window of the find times (`findTimes`). */
  readonly window: number;
  readonly loss: A2cLossOptions;
  readonly budget: {
    /** Adam steps, each on `batch` fresh episodes. */
    readonly updates: number;
    readonly batch: number;
    readonly lr: Schedule;
    /** Validation every this many updates: the learning curve. */
    readonly evalEvery: number;
    /** Validation batches (of `batch` episodes) per curve point. */
    readonly evalBatches: number;
  };
  /** Init seed of the weights. */
  readonly seed: number;
  /** Update k plays batch seed `train + k`; validation batch j plays `validation + j`. */
  readonly seeds: { readonly train: number; readonly validation: number };
}

export interface NavigationCurvePoint {
  readonly update: number;
  /** Mean finds per training episode since the previous point. */
  readonly trainFinds: number;
  readonly trainLoss: number;
  readonly validation: FindSummary;
}

export interface NavigationOutcome {
  readonly curve: readonly NavigationCurvePoint[];
  /** Finds per episode of every update's batch, in order (the meta-training return, reward 1). */
  readonly trainFinds: readonly number[];
  readonly initialValidation: FindSummary;
  readonly params: Readonly<Record<string, HostTensor>>;
  readonly trainSeconds: number;
}

/** The returns of a rollout, step-major like its rewards, each episode discounted on its own. */
export function rolloutReturns(r: NavigationRollout, gamma: number): Float32Array {
  return timeMajorReturns(r.rewards, r.envSteps, r.batch, gamma);
}

const findsPerEpisode = (r: NavigationRollout) => r.finds.reduce((a, f) => a + f.finds, 0) / r.batch;

/** Plays `batches` batches from `seedBase` (with `forward`, or the random policy without) and summarizes the finds. */
export async function evaluateNavigation(forward: Runner | undefined, run: Pick<NavigationRun, 'arena' | 'agent' | 'inputCode' | 'budget' | 'window'>, seedBase: number, batches: number): Promise<FindSummary> {
  const finds: FindTimes[] = [];
  for (let j = 0; j < batches; j++) finds.push(...(await playNavigation(forward, run.arena, run.inputCode, run.agent.substeps, run.budget.batch, seedBase + j, run.window)).finds);
  return summarizeFinds(finds, run.window);
}

/** Compiles the rollout model of `run` with `params` set, for `use`, and frees it after. */
export async function withNavigationAgent<R>(backend: TrainBackend, run: Pick<NavigationRun, 'agent' | 'budget' | 'seed'>, params: Readonly<Record<string, HostTensor>>, use: (forward: Runner) => Promise<R>): Promise<R> {
  const forward = await backend.compile(navigationStepModel(run.agent, run.budget.batch), { seed: run.seed });
  try {
    forward.setParams(params);
    return await use(forward);
  } finally {
    forward.destroy();
  }
}

export async function metaTrainNavigation(backend: TrainBackend, run: NavigationRun, log: (line: string) => void = () => {}): Promise<NavigationOutcome> {
  const { budget, arena } = run;
  for (const key of ['updates', 'batch', 'evalEvery', 'evalBatches'] as const) {
    if (!Number.isInteger(budget[key]) || budget[key] < 1) fail('attr', `budget.${key}`, 'must be a positive integer', 'an integer >= 1', String(budget[key]));
  }
  const model = navigationTrainingModel(run.agent, arena.episodeLength, budget.batch, run.loss);
  const names = paramNames(model);
  const step = await backend.compileTrainStep(trainingGraph(model, { loss: 'loss', optimizer: adam() }), { seed: run.seed });
  const forward = await backend.compile(navigationStepModel(run.agent, budget.batch), { seed: run.seed });
  try {
    const validate = async () => {
      forward.setParams(await step.readState(names));
      return evaluateNavigation(forward, run, run.seeds.validation, budget.evalBatches);
    };
    const initialValidation = await validate();
    const curve: NavigationCurvePoint[] = [];
    const trainFinds: number[] = [];
    const losses: number[] = [];
    const start = performance.now();
    for (let k = 0; k < budget.updates; k++) {
      forward.setParams(await step.readState(names));
      const r = await playNavigation(forward, arena, run.inputCode, run.agent.substeps, budget.batch, run.seeds.train + k, run.window);
      const feeds = {
        [NAVIGATION_FEEDS.x]: r.inputs,
        [NAVIGATION_FEEDS.actions]: { type: { shape: [r.actions.length], dtype: 'i32' as const }, data: r.actions },
        [NAVIGATION_FEEDS.returns]: rolloutReturns(r, run.gamma),
        lr: budget.lr(k),
      };
      const loss = await step.stepWithLoss(feeds);
      if (!Number.isFinite(loss)) fail('nan', `update ${k}`, 'the A2C loss is not finite', 'a finite loss', String(loss));
      losses.push(loss);
      trainFinds.push(findsPerEpisode(r));
      if ((k + 1) % budget.evalEvery === 0 || k + 1 === budget.updates) {
        const n = ((k + 1) % budget.evalEvery) || budget.evalEvery;
        const mean = (v: readonly number[]) => v.slice(-n).reduce((a, x) => a + x, 0) / Math.min(n, v.length);
        const validation = await validate();
        curve.push({ update: k + 1, trainFinds: mean(trainFinds), trainLoss: mean(losses), validation });
        log(
          `update ${k + 1}/${budget.updates}: train finds/episode ${mean(trainFinds).toFixed(2)}, loss ${mean(losses).toFixed(4)}; validation finds ${validation.meanFinds.toFixed(2)}, ` +
            `${describeFinds(validation)} (${((performance.now() - start) / 1e3).toFixed(0)} s)`,
        );
      }
    }
    const trainSeconds = (performance.now() - start) / 1e3;
    return { curve, trainFinds, initialValidation, params: await step.readState(names), trainSeconds };
  } finally {
    step.destroy();
    forward.destroy();
  }
}
