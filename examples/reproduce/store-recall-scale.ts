/**
 * The store-recall scales and the training budget of the store-recall and deep-r experiments:
 * ALIF vs β = 0 and DEEP R vs dense are each compared at one task, sizes and budget.
 */
import { stepDecay } from '@spikeflow/models';
import type { ExperimentContext, ResultRow } from './experiment.js';
import type { StoreRecallOutcome, StoreRecallRun } from './store-recall-training.js';

/** 12 characters, 1 bit, a store or recall command with probability 1/5 per character. */
const EPISODE = { length: 12, bits: 1, commandProb: 1 / 5, code: { perChannel: 4, rate: 0.5 } } as const;

/**
 * The long-delay scale of the store-recall experiment: 12 characters of 20 steps (T = 240,
 * dt = 1), 1 bit, a command with probability 1/5 per character, τ_m = τ_out = 2. A character
 * lasts 10 τ_m, as in the reference (200 ms at τ_m = 20 ms), and a recall comes 1 to 11
 * characters (10 to 110 τ_m) after its store, with distractor values shown in between; the ALIF
 * neurons' adaptation (τ_a = 400) spans the whole episode. At the short scale below (characters
 * of 2.5 τ_m), the β = 0 network learned to hold the bit in reverberating recurrent activity
 * within the same budget (3.6% recall error).
 */
const LONG_DELAY = {
  task: { ...EPISODE, charSteps: 20 },
  network: { nLif: 20, nAlif: 20, tauM: 2, tauOut: 2, tauA: 400, beta: 1.7 },
} as const;

/**
 * The short-delay scale of the DEEP R experiment: 12 characters of 10 steps (T = 120),
 * τ_m = τ_out = 4, τ_a = 200: store onset to recall onset is 2.5 to 27.5 τ_m.
 */
const SHORT_DELAY = {
  task: { ...EPISODE, charSteps: 10 },
  network: { nLif: 20, nAlif: 20, tauM: 4, tauOut: 4, tauA: 200, beta: 1.7 },
} as const;

export type StoreRecallScaleName = 'long-delay' | 'short-delay';
const SCALES = { 'long-delay': LONG_DELAY, 'short-delay': SHORT_DELAY } as const;

/** The quick smoke run: 6 characters of 6 steps, a few steps of training. */
const QUICK_TASK = { length: 6, charSteps: 6, bits: 1, commandProb: 1 / 3, code: { perChannel: 4, rate: 0.5 } } as const;

/**
 * One run at scale `scale` (the rest of the network is the reference store-recall LSNN,
 * storeRecallLsnn): `seed`'s episodes and init, the full budget (300 Adam steps of 64 fresh
 * episodes) or the quick one.
 */
export function storeRecallScale(scale: StoreRecallScaleName, quick: boolean, seed: number): StoreRecallRun {
  const { task, network } = SCALES[scale];
  if (quick) {
    return {
      task: QUICK_TASK,
      network: { ...network, nLif: 5, nAlif: 5, tauA: 50 },
      budget: { steps: 6, batch: 8, lr: () => 0.01, evalEvery: 3, curveEpisodes: 16, testEpisodes: 32, evalBatch: 16 },
      seed,
    };
  }
  return {
    task,
    network,
    budget: { steps: 300, batch: 64, lr: stepDecay(0.01, { stepSize: 120, gamma: 0.5 }), evalEvery: 25, curveEpisodes: 128, testEpisodes: 1024, evalBatch: 128 },
    seed,
  };
}

/** The task scale, sizes and budget of a run, for a results row. */
export function runSizes(run: StoreRecallRun): Record<string, number | string> {
  const { task, network, budget } = run;
  return {
    characters: task.length,
    charSteps: task.charSteps,
    T: task.length * task.charSteps,
    commandProb: Number(task.commandProb.toFixed(4)),
    inputs: (2 * task.bits + 2) * task.code.perChannel,
    nLif: network.nLif,
    nAlif: network.nAlif,
    tauM: network.tauM ?? 20,
    tauOut: network.tauOut ?? 20,
    tauA: network.tauA ?? 700,
    beta: network.beta ?? 1.8,
    ...(network.deepR ? { recurrentConnectivity: network.deepR.connectivity, inputConnectivity: network.deepR.inputConnectivity ?? 1 } : {}),
    steps: budget.steps,
    batch: budget.batch,
    optimizer: 'adam',
    lr: `${budget.lr(0)} (step 0) -> ${budget.lr(budget.steps - 1)} (last step)`,
    testEpisodes: budget.testEpisodes,
  };
}

/** A results row of one trained store-recall network; `value` is the held-out recall error unless `metric` says accuracy. */
export function storeRecallRow(
  ctx: ExperimentContext,
  row: { readonly experiment: string; readonly model: string; readonly metric: 'recall error' | 'recall accuracy'; readonly target?: string; readonly met?: boolean },
  run: StoreRecallRun,
  outcome: StoreRecallOutcome,
  wallSeconds: number,
): ResultRow {
  const value = row.metric === 'recall error' ? outcome.recallError : 1 - outcome.recallError;
  return {
    ...row,
    value,
    seed: run.seed,
    sizes: runSizes(run),
    device: ctx.device,
    wall_s: wallSeconds,
    extra: {
      recalls: outcome.recalls,
      heldOutLoss: outcome.heldOutLoss,
      initial: { recallError: outcome.initialError, heldOutLoss: outcome.initialLoss },
      trainSeconds: outcome.trainSeconds,
      curve: outcome.curve,
      ...(outcome.connections ? { connections: outcome.connections, revived: outcome.revived, countCheckedEveryStep: true } : {}),
    },
  };
}
