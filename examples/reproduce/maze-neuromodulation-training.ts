/**
 * A2C on the Backpropamine grid maze with a recurrent SNN whose recurrent synapses are plastic
 * (neuromodulated, fixed-η, or off). Each update plays B episodes side by side with the one-step
 * acting graph (a host round trip per step, so on the host: `actingBackend`),
 * then ONE compiled training graph replays those episodes (BPTT through all T steps and the
 * Hebbian updates) on the given backend and takes an Adam step on the A2C loss.
 */
import { type Runner, type StepRunner, type TrainBackend } from '@spikeflow/core';
import {
  adam,
  episodeReturns,
  GridMaze,
  PLASTIC_AGENT,
  plasticAgentActGraph,
  plasticAgentLossGraph,
  plasticAgentTrainedParams,
  rolloutEpisodes,
  TaskRng,
  trainingGraph,
  type AgentPlasticity,
  type EpisodeBatch,
  type GridMazeOptions,
  type PlasticAgentOptions,
} from '@spikeflow/models';
import { actingBackend } from './acting-backend.js';
import { episodeSeeds } from './episode-seeds.js';

export interface MazeBudget {
  readonly maze: Required<Pick<GridMazeOptions, 'size' | 'episodeLength'>> & Pick<GridMazeOptions, 'wallPenalty'>;
  readonly hidden: number;
  /** Episodes per update (played side by side, one BPTT pass). */
  readonly batch: number;
  readonly updates: number;
  readonly lr: number;
  readonly gamma: number;
  /**
   * Multiplies the discounted returns the loss sees (not the rewards reported): the policy
   * gradient grows with the advantage's scale, so with rewards of 10 the entropy bonus is
   * negligible and Adam's steps jumpy; 0.1 brings the reward to 1.
   */
  readonly returnScale: number;
  readonly valueCoef: number;
  readonly entropyCoef: number;
  /** Clip the gradients' global norm to this before each Adam step (`trainingGraph`'s `clipGradNorm`); absent: no clipping. */
  readonly clipGradNorm?: number;
  /** η of the fixed-η control. */
  readonly fixedEta: number;
  /** Every so many updates, a point of the learning curve on the validation episodes. */
  readonly curveEvery: number;
  /** Validation episodes per curve point (one batch). */
  readonly validationEpisodes: number;
  /** Held-out test episodes (batches of `batch`). */
  readonly testEpisodes: number;
}

export interface MazeCurvePoint {
  readonly update: number;
  /** Mean reward per episode of the training episodes since the previous point. */
  readonly trainReward: number;
  readonly validationReward: number;
}

export interface MazeRun {
  readonly plasticity: AgentPlasticity;
  readonly curve: readonly MazeCurvePoint[];
  /** Mean reward per held-out test episode, the policy sampled as in training. */
  readonly testReward: number;
  readonly testRewards: readonly number[];
  /** Mean |M(t)| and the mean of M(t) over the test episodes (neuromodulated agent only). */
  readonly modulation?: { readonly meanAbs: number; readonly mean: number };
  /** Rollout plus training step, after the first update. */
  readonly secondsPerUpdate: number;
  /** The first update, which includes compiling the training graph. */
  readonly firstUpdateSeconds: number;
  readonly wall_s: number;
}

export function agentOptions(budget: MazeBudget, plasticity: AgentPlasticity): PlasticAgentOptions {
  const observations = new GridMaze(budget.maze).observationSpace.shape[0];
  return { observations, actions: 4, hidden: budget.hidden, plasticity, eta: budget.fixedEta };
}

/** An acting graph for `batch` mazes with the trainer's current params. */
async function actor(backend: TrainBackend, options: PlasticAgentOptions, batch: number, seed: number): Promise<Runner> {
  return actingBackend(backend).compile(plasticAgentActGraph(options, batch), { seed });
}

async function copyParams(learner: StepRunner, names: readonly string[], runners: readonly Runner[]): Promise<void> {
  const state = await learner.readState(names);
  for (const runner of runners) runner.setParams(state);
}

/** Mean reward per episode over `count` episodes from seeds base, base + 1, ..., in batches of the runner's size. */
async function meanReward(runner: Runner, budget: MazeBudget, batch: number, base: number, count: number, rng: TaskRng): Promise<{ rewards: number[]; modulation: number[] }> {
  const rewards: number[] = [];
  const modulation: number[] = [];
  for (let start = 0; start < count; start += batch) {
    const seeds = Array.from({ length: batch }, (_, k) => base + start + k);
    const played = await rolloutEpisodes(runner, seeds.map(() => new GridMaze(budget.maze)), seeds, budget.maze.episodeLength, rng);
    rewards.push(...Array.from(played.totals).slice(0, count - start));
    if (played.modulation) modulation.push(...played.modulation);
  }
  return { rewards, modulation };
}

/** Mean reward per episode of uniformly random moves, on the test episodes' mazes (the baseline of the claims). */
export function randomPolicyReward(budget: MazeBudget, seed: number): number {
  const rng = new TaskRng(seed, 13);
  const base = episodeSeeds(seed).test;
  let total = 0;
  for (let k = 0; k < budget.testEpisodes; k++) {
    const maze = new GridMaze(budget.maze);
    maze.reset(base + k);
    for (let t = 0; t < budget.maze.episodeLength; t++) total += maze.step(rng.int(4)).reward;
  }
  return total / budget.testEpisodes;
}

const mean = (values: readonly number[]) => values.reduce((a, v) => a + v, 0) / Math.max(values.length, 1);

/** The discounted returns of a played batch, scaled for the loss. */
export function scaledReturns(played: EpisodeBatch, budget: Pick<MazeBudget, 'gamma' | 'returnScale'>): Float32Array {
  return episodeReturns(played, budget.gamma).map((g) => g * budget.returnScale);
}

export async function trainMazeAgent(backend: TrainBackend, budget: MazeBudget, plasticity: AgentPlasticity, seed: number, log: (line: string) => void): Promise<MazeRun> {
  const started = performance.now();
  const options = agentOptions(budget, plasticity);
  const T = budget.maze.episodeLength;
  const model = plasticAgentLossGraph(options, budget.batch, T, { valueCoef: budget.valueCoef, entropyCoef: budget.entropyCoef });
  const wrt = plasticAgentTrainedParams(model, options);
  const learner = await backend.compileTrainStep(trainingGraph(model, { loss: PLASTIC_AGENT.loss, optimizer: adam(), wrt, ...(budget.clipGradNorm === undefined ? {} : { clipGradNorm: budget.clipGradNorm }) }), { seed });
  const acting = await actor(backend, options, budget.batch, seed);
  const validating = await actor(backend, options, budget.validationEpisodes, seed);
  // The control's untrained α is zeros in both graphs by its initializer; every trained param is copied before each rollout.
  const seeds = episodeSeeds(seed);
  const rng = new TaskRng(seed, 7);
  const evalRng = () => new TaskRng(seed, 11);
  const curve: MazeCurvePoint[] = [];
  let recent: number[] = [];
  // The first update also compiles the training graph (minutes of shader compiles on a software GPU): timed apart.
  let firstUpdateSeconds = 0;
  let trainingSeconds = 0;
  try {
    for (let update = 0; update < budget.updates; update++) {
      const t0 = performance.now();
      await copyParams(learner, wrt, [acting]);
      const episodeSeedsOf = Array.from({ length: budget.batch }, (_, k) => seeds.train + update * budget.batch + k);
      const played = await rolloutEpisodes(acting, episodeSeedsOf.map(() => new GridMaze(budget.maze)), episodeSeedsOf, T, rng);
      recent.push(...played.totals);
      // Awaited, so the update's time includes the backend's work.
      await learner.stepWithLoss({
        [PLASTIC_AGENT.observations]: played.observations,
        [PLASTIC_AGENT.actions]: played.actions,
        [PLASTIC_AGENT.returns]: scaledReturns(played, budget),
        lr: budget.lr,
      });
      const seconds = (performance.now() - t0) / 1000;
      if (update === 0) firstUpdateSeconds = seconds;
      else trainingSeconds += seconds;
      if ((update + 1) % budget.curveEvery === 0 || update + 1 === budget.updates) {
        await copyParams(learner, wrt, [validating]);
        const validation = await meanReward(validating, budget, budget.validationEpisodes, seeds.validation, budget.validationEpisodes, evalRng());
        curve.push({ update: update + 1, trainReward: mean(recent), validationReward: mean(validation.rewards) });
        log(`${plasticity}: update ${update + 1}, training reward ${mean(recent).toFixed(1)}, validation ${mean(validation.rewards).toFixed(1)}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
        recent = [];
      }
    }
    await copyParams(learner, wrt, [acting]);
    const test = await meanReward(acting, budget, budget.batch, seeds.test, budget.testEpisodes, evalRng());
    const m = test.modulation;
    return {
      plasticity,
      curve,
      testReward: mean(test.rewards),
      testRewards: test.rewards,
      modulation: m.length > 0 ? { meanAbs: mean(m.map(Math.abs)), mean: mean(m) } : undefined,
      secondsPerUpdate: budget.updates > 1 ? trainingSeconds / (budget.updates - 1) : firstUpdateSeconds,
      firstUpdateSeconds,
      wall_s: (performance.now() - started) / 1000,
    };
  } finally {
    learner.destroy();
    acting.destroy();
    validating.destroy();
  }
}
