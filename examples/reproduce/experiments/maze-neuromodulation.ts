import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentPlasticity } from '@spikeflow/models';
import { lineChart } from '../../../bench/src/report/svg.js';
import type { Experiment, ExperimentContext, ResultRow } from '../experiment.js';
import { randomPolicyReward, trainMazeAgent, type MazeBudget, type MazeRun } from '../maze-neuromodulation-training.js';

const ID = 'maze-neuromodulation';
/** The claim: the neuromodulated plastic SNN's mean reward per episode at least this many times the non-plastic SNN's. */
const RATIO = 1.5;

/**
 * The 5×5 maze (the smallest GridMaze; Backpropamine's is 9×9 or 11×11) with 50-step episodes, so
 * that three agents train on the shared 2-core CPU within about 20 minutes: 24 LIF units, 8
 * episodes per A2C update, γ = 0.9, value weight 0.1 and entropy weight 0.03 as Backpropamine's
 * maze code (its Adam lr 1e-4 raised to 3e-3 for the short budget). Not tuned on the test episodes.
 */
export const BUDGET: MazeBudget = {
  maze: { size: 5, episodeLength: 50 },
  hidden: 24,
  batch: 8,
  updates: 100,
  lr: 3e-3,
  gamma: 0.9,
  valueCoef: 0.1,
  entropyCoef: 0.03,
  fixedEta: 0.1,
  curveEvery: 20,
  validationEpisodes: 16,
  testEpisodes: 64,
};

/**
 * The CI version (about a minute): the neuromodulated agent alone, 16 units, 20 updates, and a
 * wall penalty of 1, which a reactive policy learns to avoid quickly; the claim checked is only
 * that it learns at all: its reward per episode beats a random policy's by QUICK_MARGIN.
 */
export const QUICK_BUDGET: MazeBudget = { ...BUDGET, maze: { ...BUDGET.maze, wallPenalty: 1 }, hidden: 16, updates: 20, lr: 1e-2, curveEvery: 10, validationEpisodes: 8, testEpisodes: 64 };
export const QUICK_MARGIN = 5;

const MODELS: Readonly<Record<AgentPlasticity, string>> = {
  neuromodulated: 'plastic SNN, neuromodulated (eta = M(t), Backpropamine/SpikePropamine)',
  fixed: 'plastic SNN, not neuromodulated (fixed eta)',
  off: 'same SNN without plasticity (alpha = 0, frozen)',
};

/** Validation reward per episode against updates, one line per agent, and the random policy's level. */
export function learningCurveSvg(budget: MazeBudget, runs: readonly MazeRun[], random: number): string {
  const x = [...new Set(runs.flatMap((r) => r.curve.map((p) => p.update)))].sort((a, b) => a - b);
  return lineChart({
    title: `Grid maze ${budget.maze.size}×${budget.maze.size}, ${budget.maze.episodeLength}-step episodes: A2C on plastic SNNs`,
    yLabel: 'mean reward per validation episode',
    x,
    xLabel: `A2C updates (${budget.batch} episodes each)`,
    series: [
      ...runs.map((run) => ({ name: MODELS[run.plasticity], values: x.map((u) => run.curve.find((p) => p.update === u)?.validationReward ?? null) })),
      { name: 'random policy', values: x.map(() => random) },
    ],
  });
}

function row(ctx: ExperimentContext, budget: MazeBudget, run: MazeRun, off: MazeRun | undefined, random: number): ResultRow {
  const bar = off === undefined ? undefined : RATIO * off.testReward;
  const checked = run.plasticity === 'neuromodulated' && bar !== undefined;
  return {
    experiment: ID,
    model: MODELS[run.plasticity],
    metric: `mean reward per episode, ${budget.testEpisodes} held-out episodes (policy sampled)`,
    value: run.testReward,
    ...(checked ? { target: `>= ${RATIO} x non-plastic = ${bar.toFixed(2)}`, met: run.testReward >= bar } : {}),
    seed: ctx.seed,
    sizes: {
      maze: `${budget.maze.size}x${budget.maze.size} (Backpropamine: 9x9 / 11x11), reward 10, wall penalty ${budget.maze.wallPenalty ?? 0}`,
      'episode steps': budget.maze.episodeLength,
      network: `15 inputs -> ${budget.hidden} LIF (tau 4, hard reset) with plastic recurrent synapses W + alpha * Hebb -> actor (4) and critic (1) on the spikes`,
      plasticity:
        run.plasticity === 'off'
          ? 'none (alpha = 0, alpha and eta untrained)'
          : `Hebb <- clip(Hebb + ${run.plasticity === 'neuromodulated' ? 'M(t)' : `eta (${budget.fixedEta})`} * pre (x) post, +-1), spike traces lambda 0.5`,
      'episodes per update': budget.batch,
      updates: budget.updates,
      optimizer: `Adam, lr ${budget.lr}`,
      loss: `A2C, gamma ${budget.gamma}, value ${budget.valueCoef}, entropy ${budget.entropyCoef}, BPTT through whole episodes`,
    },
    device: 'CPU reference interpreter',
    wall_s: run.wall_s,
    extra: {
      randomPolicyReward: random,
      curve: run.curve,
      testRewards: run.testRewards,
      ...(run.modulation ? { modulation: run.modulation } : {}),
      secondsPerUpdate: run.secondsPerUpdate,
      episodes: 'training, validation and test episodes from disjoint seeds (episodeSeeds)',
    },
  };
}

export const mazeNeuromodulationExperiment: Experiment = {
  id: ID,
  title:
    'Grid maze (Backpropamine, Miconi et al. 2019; SpikePropamine, Schmidgall et al. 2021) with a recurrent LIF SNN whose recurrent synapses are plastic, trained by A2C through whole episodes: ' +
    `the neuromodulated plastic SNN should reach >= ${RATIO}x the mean reward per episode of the same SNN without plasticity; the fixed-eta plastic SNN beside them. ` +
    `Learning curves: examples/reproduce/results/${ID}.svg.`,
  variants: ['neuromodulated', 'fixed', 'off'],
  async run(ctx) {
    const budget = ctx.quick ? QUICK_BUDGET : BUDGET;
    const variants = (ctx.variants ?? (ctx.quick ? ['neuromodulated'] : ['neuromodulated', 'fixed', 'off'])) as AgentPlasticity[];
    const runs: MazeRun[] = [];
    for (const plasticity of variants) runs.push(await trainMazeAgent(budget, plasticity, ctx.seed, ctx.log));
    const random = randomPolicyReward(budget, ctx.seed);
    const neuromodulated = runs.find((r) => r.plasticity === 'neuromodulated');
    if (ctx.quick && neuromodulated && !(neuromodulated.testReward > random + QUICK_MARGIN)) {
      throw new Error(`${ID} (quick): the agent did not learn: ${neuromodulated.testReward.toFixed(1)} reward per episode, not above a random policy's ${random.toFixed(1)} + ${QUICK_MARGIN}`);
    }
    const file = path.join(ctx.resultsDir, `${ID}.svg`);
    writeFileSync(file, learningCurveSvg(budget, runs, random));
    ctx.log(`plot: ${file}`);
    const off = runs.find((r) => r.plasticity === 'off');
    return runs.map((run) => row(ctx, budget, run, off, random));
  },
};
