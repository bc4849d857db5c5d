import { CartPole, randomPolicyReturn } from '@spikeflow/models';
import { actingOn } from '../acting-backend.js';
import type { Experiment, ExperimentContext, ResultRow } from '../experiment.js';
import { trainLsmCartPole, type CartPoleFeatures, type EpisodePoint, type LsmCartPoleRun } from '../lsm-cartpole-training.js';

const ID = 'lsm-cartpole';
/** The gym "solved" bar of CartPole-v1, here over 100 greedy test episodes. */
const TARGET = 475;
/** Episodes of uniformly random actions that measure the random policy's mean return (about 22 on this cart-pole). */
const RANDOM_POLICY_EPISODES = 1000;
/** The quick run must beat a random policy by this margin (greedy, on its test episodes). */
const QUICK_MARGIN = 10;

type Budget = Omit<LsmCartPoleRun, 'features' | 'seed'>;

/**
 * Chosen before any test episode was run, from the reservoir's firing rate and the per-step cost
 * of a few short runs (validation returns only): N = 200 LIF neurons (160 E, 40 I), 10 Gaussian
 * fields per observation dimension, 8 reservoir steps per environment step. The budget was raised
 * from 60,000 to 200,000 environment steps once the WebAssembly backend made it cheap (about 2
 * minutes), because seed 2's validation return was still rising at 60,000; training stops earlier
 * when every validation episode reaches the cap.
 */
export const FULL: Budget = {
  reservoir: { neurons: 200, input: { p: 0.1, w: 0.6 }, ee: { p: 0.1, w: 0.05 }, ei: { p: 0.1, w: 0.1 }, ie: { p: 0.2, w: 0.15 }, ii: { p: 0.1, w: 0.05 } },
  fieldsPerDimension: 10,
  code: 'current',
  withObservation: true,
  updatesPerStep: 2,
  reservoirSteps: 8,
  tau: 4,
  gamma: 0.99,
  lr: 1e-3,
  lrEnd: 1e-4,
  batch: 64,
  bufferCapacity: 50_000,
  warmupSteps: 500,
  targetUpdateSteps: 500,
  epsilon: { start: 1, end: 0.05, decaySteps: 10_000 },
  huberDelta: 1,
  doubleDqn: false,
  parallelEnvs: 8,
  envSteps: 200_000,
  validateEvery: 4_000,
  validationEpisodes: 10,
  testEpisodes: 100,
};
const QUICK: Budget = { ...FULL, reservoir: { ...FULL.reservoir, neurons: 100 }, envSteps: 10_000, epsilon: { start: 1, end: 0.05, decaySteps: 6_000 }, validateEvery: 2_500, validationEpisodes: 5, testEpisodes: 10 };

const MODELS: Readonly<Record<CartPoleFeatures, string>> = {
  lsm: 'LSM (LIF reservoir, E/I) + linear Q readout, DQN',
  raw: 'linear Q readout on the raw observation, DQN (control)',
};

/** Environment steps per point of the stored learning curve. */
const CURVE_BLOCK = 2_000;

/**
 * The learning curve in blocks of CURVE_BLOCK environment steps (every episode of the raw control
 * would be thousands of points): per block, [env steps at its end, episodes finished so far, mean
 * return of the episodes that finished in it (null if none)].
 */
export function learningCurveBlocks(curve: readonly EpisodePoint[]): (number | null)[][] {
  const blocks: (number | null)[][] = [];
  const last = curve.length === 0 ? 0 : curve[curve.length - 1]!.envSteps;
  for (let end = CURVE_BLOCK; end < last + CURVE_BLOCK; end += CURVE_BLOCK) {
    const own = curve.filter((p) => p.envSteps > end - CURVE_BLOCK && p.envSteps <= end);
    const finished = curve.filter((p) => p.envSteps <= end).length;
    blocks.push([end, finished, own.length === 0 ? null : Math.round((10 * own.reduce((a, p) => a + p.return, 0)) / own.length) / 10]);
  }
  return blocks;
}

async function runVariant(ctx: ExperimentContext, features: CartPoleFeatures): Promise<ResultRow> {
  const started = performance.now();
  const budget = ctx.quick ? QUICK : FULL;
  const outcome = await trainLsmCartPole(ctx.backend, { ...budget, features, seed: ctx.seed }, ctx.log);
  const random = randomPolicyReturn(new CartPole(), RANDOM_POLICY_EPISODES, ctx.seed);
  if (ctx.quick && features === 'lsm' && !(outcome.test.mean > random + QUICK_MARGIN)) {
    throw new Error(`${ID} (quick): the LSM readout did not learn: greedy test return ${outcome.test.mean.toFixed(1)}, not above a random policy's ${random.toFixed(1)} + ${QUICK_MARGIN}`);
  }
  const lsm = features === 'lsm';
  return {
    experiment: ID,
    model: MODELS[features],
    metric: `mean return, ${budget.testEpisodes} greedy test episodes`,
    value: outcome.test.mean,
    ...(lsm ? { target: `>= ${TARGET}`, met: outcome.test.mean >= TARGET } : {}),
    seed: ctx.seed,
    sizes: {
      ...(lsm
        ? {
            reservoir: `${budget.reservoir.neurons} LIF (80% E), tau ${budget.tau} steps, ${budget.reservoirSteps} reservoir steps per env step`,
            connectivity: JSON.stringify(budget.reservoir),
            encoding: `population, ${budget.fieldsPerDimension} fields per dimension, ${budget.code === 'current' ? 'constant input current' : 'Bernoulli spikes'}`,
            features: `spike counts over the ${budget.reservoirSteps} reservoir steps / ${budget.reservoirSteps}${budget.withObservation ? ', plus the scaled raw observation (4)' : ''}`,
          }
        : { features: 'x/2.4, v/3, theta/0.21, omega/3.5' }),
      'env steps': budget.envSteps,
      'parallel envs': budget.parallelEnvs,
      gamma: budget.gamma,
      optimizer: 'Adam',
      lr: `${budget.lr} -> ${budget.lrEnd} (linear over the budget)`,
      'learner steps per joint env step': budget.updatesPerStep,
      batch: budget.batch,
      replay: budget.bufferCapacity,
      'target update': budget.targetPolyak === undefined ? `copied every ${budget.targetUpdateSteps} learner steps` : `Polyak, tau ${budget.targetPolyak} per learner step`,
      epsilon: `${budget.epsilon.start} -> ${budget.epsilon.end} over ${budget.epsilon.decaySteps} steps after ${budget.warmupSteps} random`,
      loss: `Huber (delta ${budget.huberDelta})${budget.doubleDqn ? ', Double DQN targets' : ''}`,
    },
    device: actingOn(ctx.backend, ctx.device).device,
    wall_s: (performance.now() - started) / 1000,
    extra: {
      randomPolicyReturn: random,
      trainingEpisodes: outcome.curve.length,
      envStepsUsed: outcome.envSteps,
      keptAtEpisode: outcome.keptEpisode,
      trainingSolvedAtEpisode: outcome.trainingSolvedAt,
      validation: outcome.validation,
      learningCurve: learningCurveBlocks(outcome.curve),
      learningCurveColumns: ['env steps', 'episodes finished', `mean return of the episodes finished in the last ${CURVE_BLOCK} env steps`],
      testReturns: outcome.test.returns,
      meanFiringRatePerReservoirStep: outcome.meanFiringRate,
      connections: outcome.connections,
      secondsPerEnvStep: outcome.secondsPerEnvStep,
      selection: 'the readout kept is the one with the best greedy validation return (validation seeds disjoint from training and test seeds)',
    },
  };
}

export const lsmCartPoleExperiment: Experiment = {
  id: ID,
  title:
    'Cart-pole (CartPole-v1 dynamics, 500-step cap) with a liquid state machine (Ponghiran, Srinivasan & Roy 2019): a fixed sparse E/I LIF reservoir, ' +
    `population/rate-coded observations, only a linear Q readout trained DQN-style; bar: mean greedy return >= ${TARGET} over 100 test episodes. The same readout on the raw observation beside it.`,
  variants: ['lsm', 'raw'],
  run: async (ctx) => {
    const rows: ResultRow[] = [];
    for (const features of (ctx.variants ?? ['lsm', 'raw']) as CartPoleFeatures[]) rows.push(await runVariant(ctx, features));
    return rows;
  },
};
