/**
 * The store-recall scale and training budget shared by the store-recall and deep-r experiments,
 * so that ALIF vs β = 0 and DEEP R vs dense are compared at the same task, sizes and budget.
 */
import { stepDecay } from '@spikeflow/models';
import type { ExperimentContext, ResultRow } from './experiment.js';
import type { StoreRecallOutcome, StoreRecallRun } from './store-recall-training.js';

/**
 * 12 characters of 10 steps (T = 120, dt = 1 ms), 1 bit, a command with probability 1/5 per
 * character: a recall comes 1 to 11 characters after its store (about half of them 3 or more),
 * with distractor values shown in between. Store onset to recall onset is 10 to 110 steps, i.e.
 * 2.5 to 27.5 membrane time constants at τ_m = τ_out = 4 (the reference tutorial's gaps are about
 * 60); the ALIF neurons' adaptation (τ_a = 200) spans the whole episode.
 */
const FULL_TASK = { length: 12, charSteps: 10, bits: 1, commandProb: 1 / 5, code: { perChannel: 4, rate: 0.5 } } as const;

/** The quick smoke run: 6 characters of 6 steps, a few steps of training. */
const QUICK_TASK = { length: 6, charSteps: 6, bits: 1, commandProb: 1 / 3, code: { perChannel: 4, rate: 0.5 } } as const;

/** 20 LIF + 20 ALIF neurons; the rest is the reference store-recall LSNN (storeRecallLsnn) but the time constants. */
const NETWORK = { nLif: 20, nAlif: 20, tauM: 4, tauOut: 4, tauA: 200, beta: 1.7 } as const;

/** One run of the shared scale: `seed`'s episodes and init, the full or the quick budget. */
export function storeRecallScale(quick: boolean, seed: number): StoreRecallRun {
  if (quick) {
    return {
      task: QUICK_TASK,
      network: { ...NETWORK, nLif: 5, nAlif: 5, tauA: 50 },
      budget: { steps: 6, batch: 8, lr: () => 0.01, evalEvery: 3, curveEpisodes: 16, testEpisodes: 32, evalBatch: 16 },
      seed,
    };
  }
  return {
    task: FULL_TASK,
    network: NETWORK,
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
