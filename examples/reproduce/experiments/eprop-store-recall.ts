import { cpuBackend } from '@spikeflow/core';
import { storeRecall } from '@spikeflow/models';
import type { Experiment, ResultRow } from '../experiment.js';
import type { OnlineLearning } from '../online-network-training.js';
import { storeRecallScale } from '../store-recall-scale.js';
import { trainOnlineStoreRecall, type OnlineStoreRecallRun } from '../eprop-store-recall-training.js';

const DEVICE = 'CPU reference interpreter';

const MODELS: readonly { readonly model: string; readonly learning: OnlineLearning }[] = [
  { model: 'ALIF, e-prop (symmetric feedback)', learning: { kind: 'eprop', feedback: { kind: 'symmetric' } } },
  { model: 'ALIF, BPTT', learning: { kind: 'bptt' } },
];

/** The short-delay store-recall task and time constants (the DEEP R experiment's), with a budget the CPU interpreter can afford for e-prop. */
function onlineRun(quick: boolean, seed: number): OnlineStoreRecallRun {
  const scale = storeRecallScale('short-delay', quick, seed);
  const { tauM = 20, tauA = 700, beta = 1.8, tauOut = 20 } = scale.network;
  const network = { tauM, tauA, beta, tauOut, hidden: quick ? 4 : 20 };
  return quick
    ? { task: scale.task, network, batch: 4, epochs: 2, stepsPerEpoch: 2, lr: 0.01, validationBatches: 1, testBatches: 1, seed }
    : { task: scale.task, network, batch: 16, epochs: 10, stepsPerEpoch: 10, lr: 0.01, validationBatches: 2, testBatches: 8, seed };
}

/**
 * e-prop beside BPTT on store-recall (Bellec et al. 2018's task; e-prop's paper trains LSNNs on
 * it too): one ALIF layer, the same network, init, episodes and budget for both. No target: the
 * budget is far below the store-recall experiment's (300 steps of 64 episodes).
 */
export const epropStoreRecallExperiment: Experiment = {
  id: 'eprop-store-recall',
  title:
    'Store-recall at the short-delay scale (12 characters of 10 steps, T = 120, 1 bit, commands with probability 1/5; τ_m = τ_out = 4, τ_a = 200): ' +
    'one layer of 20 ALIF neurons trained by e-prop (symmetric feedback) and by BPTT, same network and budget; the epoch kept is chosen on validation loss; the CPU interpreter runs it.',
  variants: MODELS.map((m) => m.model),
  run: async (ctx) => {
    const run = onlineRun(ctx.quick, ctx.seed);
    const info = storeRecall(run.task).info;
    const rows: ResultRow[] = [];
    for (const { model, learning } of MODELS.filter((m) => ctx.variants === undefined || ctx.variants.includes(m.model))) {
      ctx.log(`training ${model}`);
      const start = performance.now();
      const outcome = await trainOnlineStoreRecall(cpuBackend(), run, learning, (line) => ctx.log(`${model}: ${line}`));
      rows.push({
        experiment: 'eprop-store-recall',
        model,
        metric: 'recall error',
        value: outcome.recallError,
        seed: ctx.seed,
        sizes: {
          characters: run.task.length,
          charSteps: run.task.charSteps,
          T: info.steps,
          inputs: info.inputSize,
          hidden: run.network.hidden,
          neuron: `ALIF (tauM ${run.network.tauM}, tauA ${run.network.tauA}, beta ${run.network.beta}, b0 0.3, nRef 2)`,
          tauOut: run.network.tauOut,
          batch: run.batch,
          optimizer: 'adam',
          lr: run.lr,
          maxSteps: run.epochs * run.stepsPerEpoch,
          chosenSteps: outcome.chosenSteps,
          validationEpisodes: run.validationBatches * run.batch,
          testRecalls: outcome.recalls,
        },
        device: DEVICE,
        wall_s: (performance.now() - start) / 1e3,
        extra: { initialValidationLoss: outcome.initialValidationLoss, curve: outcome.curve, trainSeconds: outcome.trainSeconds },
      });
    }
    return rows;
  },
};
