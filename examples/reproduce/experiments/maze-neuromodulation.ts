import path from 'node:path';
import type { AgentPlasticity } from '@spikeflow/models';
import { lineChartSpec, type PlotSpec } from '@spikeflow/plot';
import { writePlot } from '@spikeflow/plot/node';
import { actingBackend, actingOn } from '../acting-backend.js';
import type { Experiment, ExperimentContext, ResultRow } from '../experiment.js';
import { randomPolicyReward, trainMazeAgent, type MazeBudget, type MazeRun } from '../maze-neuromodulation-training.js';

const ID = 'maze-neuromodulation';
/** The claim: the neuromodulated plastic SNN's mean reward per episode at least this many times the non-plastic SNN's. */
const RATIO = 1.5;

/**
 * The 7×7 maze (Backpropamine's is 9×9 or 11×11) with 100-step episodes and a wall penalty of 1
 * (Backpropamine: none): 32 LIF units, 32 episodes per A2C update, γ = 0.9, value weight 0.1 and
 * entropy weight 0.03 as Backpropamine's maze code; Adam at lr 5e-3 (the code: 1e-4) with the
 * returns scaled by 0.1 (reward 10 → 1) and the gradients' global norm clipped to 1 (the code
 * clips too), 6,000 updates. Without clipping, runs of this length collapsed (docs/learning/rl.md).
 * About 30 minutes for the three agents on the WebAssembly backend.
 */
/** The A2C settings of Backpropamine's maze code, shared by the full and the CI budget. */
const A2C = { gamma: 0.9, returnScale: 0.1, valueCoef: 0.1, entropyCoef: 0.03, fixedEta: 0.1 } as const;

export const BUDGET: MazeBudget = {
  ...A2C,
  maze: { size: 7, episodeLength: 100, wallPenalty: 1 },
  hidden: 32,
  batch: 32,
  updates: 6_000,
  lr: 5e-3,
  clipGradNorm: 1,
  curveEvery: 500,
  validationEpisodes: 32,
  testEpisodes: 128,
};

/**
 * The CI version (about a minute, on the host whatever the backend: compiling the 50-step
 * training graph's shaders on a software GPU alone takes longer): the neuromodulated agent
 * alone on the 5×5 maze with 50-step episodes, 16 units, 16 episodes per update, 40 updates at
 * lr 2e-2, no clipping. The claim checked is that it learns: its
 * held-out reward per episode beats a random policy's by QUICK_MARGIN (the wall penalty makes a
 * random policy's about 10, and avoiding the walls it sees is learnt first).
 */
export const QUICK_BUDGET: MazeBudget = {
  ...A2C,
  maze: { size: 5, episodeLength: 50, wallPenalty: 1 },
  hidden: 16,
  batch: 16,
  updates: 40,
  lr: 2e-2,
  curveEvery: 20,
  validationEpisodes: 16,
  testEpisodes: 64,
};
export const QUICK_MARGIN = 10;

const MODELS: Readonly<Record<AgentPlasticity, string>> = {
  neuromodulated: 'plastic SNN, neuromodulated (eta = M(t), Backpropamine/SpikePropamine)',
  fixed: 'plastic SNN, not neuromodulated (fixed eta)',
  off: 'same SNN without plasticity (alpha = 0, frozen)',
};

/** Validation reward per episode against updates, one line per agent, and the random policy's level. */
export function learningCurveSpec(budget: MazeBudget, runs: readonly MazeRun[], random: number): PlotSpec {
  const x = [...new Set(runs.flatMap((r) => r.curve.map((p) => p.update)))].sort((a, b) => a - b);
  return lineChartSpec({
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

function row(ctx: ExperimentContext, device: string, budget: MazeBudget, run: MazeRun, off: MazeRun | undefined, random: number): ResultRow {
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
      optimizer: `Adam, lr ${budget.lr}${budget.clipGradNorm === undefined ? '' : `, gradient norm clipped to ${budget.clipGradNorm}`}`,
      loss: `A2C, gamma ${budget.gamma}, returns x ${budget.returnScale}, value ${budget.valueCoef}, entropy ${budget.entropyCoef}, BPTT through whole episodes`,
    },
    device,
    wall_s: run.wall_s,
    extra: {
      randomPolicyReward: random,
      curve: run.curve,
      testRewards: run.testRewards,
      ...(run.modulation ? { modulation: run.modulation } : {}),
      secondsPerUpdate: run.secondsPerUpdate,
      firstUpdateSeconds: run.firstUpdateSeconds,
      episodesTrained: budget.updates * budget.batch,
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
    // Under --quick the training step runs where the episodes are played (no shader compiles on WebGPU).
    const { backend, device: trainedOn } = ctx.quick ? actingOn(ctx.backend, ctx.device) : { backend: ctx.backend, device: ctx.device };
    const device = actingBackend(backend) === backend ? trainedOn : `${trainedOn} (training step; episodes played on the CPU interpreter)`;
    const variants = (ctx.variants ?? (ctx.quick ? ['neuromodulated'] : ['neuromodulated', 'fixed', 'off'])) as AgentPlasticity[];
    const runs: MazeRun[] = [];
    for (const plasticity of variants) runs.push(await trainMazeAgent(backend, budget, plasticity, ctx.seed, ctx.log));
    const random = randomPolicyReward(budget, ctx.seed);
    const neuromodulated = runs.find((r) => r.plasticity === 'neuromodulated');
    if (ctx.quick && neuromodulated && !(neuromodulated.testReward > random + QUICK_MARGIN)) {
      throw new Error(`${ID} (quick): the agent did not learn: ${neuromodulated.testReward.toFixed(1)} reward per episode, not above a random policy's ${random.toFixed(1)} + ${QUICK_MARGIN}`);
    }
    const files = await writePlot(path.join(ctx.resultsDir, ID), learningCurveSpec(budget, runs, random));
    ctx.log(`plot: ${files.join(', ')}`);
    const off = runs.find((r) => r.plasticity === 'off');
    return runs.map((run) => row(ctx, device, budget, run, off, random));
  },
};
