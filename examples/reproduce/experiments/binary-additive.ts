import { binaryAdditive } from '@spikeflow/models';
import type { Experiment, ExperimentContext, ResultRow } from '../experiment.js';
import { trainBinaryAdditive, type BinaryAdditiveRun, type Learner } from '../binary-additive-training.js';

const ID = 'binary-additive';
/** The bar for the online rules: below it the network has learned at least the x_{t−5} dependency (floor 0.519). */
const ONLINE_BAR = 0.53;
/** BPTT should get near the optimum 0.455 (both lags). */
const BPTT_BAR = 0.47;

type Budget = Omit<BinaryAdditiveRun, 'learner' | 'seed'>;

/**
 * The budget, chosen on the validation split to fit a few minutes per learner on
 * a 2-core CPU (`--cpu`; an RFLO step at these sizes took 56 ms on the CPU interpreter and 82 ms
 * on WebGPU over lavapipe): 1000 Adam steps of 16 episodes of T = 50 (10 validation points 100
 * steps apart), the lr cosine-annealed to 5% of its start, and the params of the best validation
 * point scored on 512 held-out episodes. What was tried (validation losses in
 * docs/learning/binary-additive.md):
 * - 300 steps at a constant lr, the last params scored: RFLO 0.548, the readout control 0.533.
 *   RFLO's validation touched 0.534 at step 150 and drifted up. 2000 steps, lr 0.003 annealed:
 *   RFLO's validation reached 0.524 at step 1100 (held-out 0.519 there), the control 0.530 at
 *   step 1800 (held-out 0.522): more steps, a decaying lr and the best validation point are what
 *   get both under 0.53; RFLO's hidden updates add little beyond its readout here. The e-prop
 *   learners get 300 steps (an e-prop step on the rate RNN costs 2.6 s here, 17× RFLO's).
 *   Those held-out numbers came from the episodes then used as the test split, which were seen
 *   while choosing; the rows now score fresh episodes (binary-additive-training.ts).
 * - The rate units have no leak (α = 1): a leaky unit (α = 0.5, 0.3) smears the lags together,
 *   and its readout-only loss is worse (≈0.60 vs ≈0.52). RFLO's lr is 0.003: at 0.01 its
 *   random-feedback hidden updates, normalised by Adam, wreck the network (validation back to 0.66).
 * - e-prop on ALIF (τ_a 8): 17 s per step on the CPU interpreter (four states per neuron in the
 *   trace), out of reach of this budget; the LIF RSNN stays, and e-prop on the rate RNN is a row of
 *   its own.
 */
const FULL_BASE = { steps: 50, hidden: 64, batch: 16, epochs: 10, stepsPerEpoch: 100, lrFloor: 0.05, alpha: 1, recurrentScale: 1, validationBatches: 8, testBatches: 32 } as const;
/** e-prop's online graph is ≈10× slower per step than RFLO's on the CPU interpreter (2 s vs 0.2 s under load): 300 steps. */
const EPROP_BASE = { ...FULL_BASE, epochs: 3 } as const;
const FULL: Readonly<Record<Learner, Budget>> = {
  rflo: { ...FULL_BASE, lr: 0.003 },
  'eprop-rate': { ...EPROP_BASE, lr: 0.003 },
  eprop: { ...EPROP_BASE, lr: 0.01 },
  bptt: { ...FULL_BASE, lr: 0.01 },
  readout: { ...FULL_BASE, lr: 0.01 },
};
const QUICK: Budget = { steps: 20, hidden: 8, batch: 8, epochs: 2, stepsPerEpoch: 5, lr: 0.02, alpha: 1, recurrentScale: 1, validationBatches: 1, testBatches: 1 };

const MODELS: Readonly<Record<Learner, string>> = {
  rflo: 'rate RNN, RFLO (random feedback, online)',
  'eprop-rate': 'rate RNN, e-prop (symmetric feedback, online; = RFLO with B = W_out on this unit)',
  eprop: 'LIF RSNN, e-prop (symmetric feedback, online)',
  bptt: 'rate RNN, BPTT',
  readout: 'rate RNN, readout alone trained (control)',
};

async function runLearner(ctx: ExperimentContext, learner: Learner): Promise<ResultRow> {
  const started = performance.now();
  const run: BinaryAdditiveRun = { ...(ctx.quick ? QUICK : FULL[learner]), learner, seed: ctx.seed };
  const outcome = await trainBinaryAdditive(ctx.backend, run, ctx.log);
  const floors = binaryAdditive().optimalLosses();
  const bar = learner === 'bptt' ? BPTT_BAR : learner === 'readout' ? undefined : ONLINE_BAR;
  return {
    experiment: ID,
    model: MODELS[learner],
    metric: 'held-out cross-entropy per scored step (nats)',
    value: outcome.heldOutLoss,
    ...(bar === undefined ? {} : { target: `<= ${bar}`, met: outcome.heldOutLoss <= bar }),
    seed: ctx.seed,
    sizes: {
      T: run.steps,
      lags: '5, 9',
      hidden: outcome.network,
      batch: run.batch,
      steps: run.epochs * run.stepsPerEpoch,
      'scored params': `best validation point (step ${outcome.chosenSteps})`,
      optimizer: 'Adam',
      lr: run.lrFloor === undefined ? run.lr : `${run.lr}, cosine to ${Number((run.lr * run.lrFloor).toPrecision(6))}`,
      'held-out episodes': run.testBatches * run.batch,
    },
    device: ctx.device,
    wall_s: (performance.now() - started) / 1000,
    extra: {
      floors: { none: floors.none, first: floors.first, both: floors.both },
      initialValidationLoss: outcome.initialLoss,
      curve: outcome.curve,
      trainSeconds: outcome.trainSeconds,
      splits: 'training, validation (the curve, where the budget was chosen) and held-out test episodes from disjoint task seeds',
    },
  };
}

export const binaryAdditiveExperiment: Experiment = {
  id: ID,
  title:
    'Binary additive task (Pitis 2016; Marschall et al. 2020), lags 5 and 9, T = 50; cross-entropy floors 0.662 (nothing), 0.519 (x_{t−5}), 0.455 (both): ' +
    `a rate RNN trained online by RFLO (Murray 2019) or by e-prop, and an LIF RSNN trained online by e-prop, should reach <= ${ONLINE_BAR} (at least the first lag), BPTT about 0.46; the same rate RNN with only its readout trained is the control.`,
  variants: ['rflo', 'eprop-rate', 'eprop', 'bptt', 'readout'],
  run: async (ctx) => {
    const learners = (ctx.variants ?? ['rflo', 'eprop-rate', 'eprop', 'bptt', 'readout']) as Learner[];
    const rows: ResultRow[] = [];
    for (const learner of learners) rows.push(await runLearner(ctx, learner));
    return rows;
  },
};
