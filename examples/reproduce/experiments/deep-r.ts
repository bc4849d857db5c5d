import type { Experiment } from '../experiment.js';
import { storeRecallRow, storeRecallScale } from '../store-recall-scale.js';
import { trainStoreRecall, type StoreRecallRun } from '../store-recall-training.js';

/** DEEP R's connectivity: a fifth of the recurrent connections (no self-connections), and of the input ones. */
const RECURRENT_CONNECTIVITY = 0.2;
const INPUT_CONNECTIVITY = 0.5;
/** DEEP R's l1 shrink and Langevin temperature (per optimizer step, scaled by the learning rate). */
const REWIRING = { l1: 1e-4, temperature: 1e-6 } as const;
/** The claim: within 3 points of the dense network's recall accuracy. */
const MAX_GAP = 0.03;

/**
 * The DEEP R claim (Bellec et al., ICLR 2018) on the store-recall LSNN at the short-delay scale: the
 * active connection count stays exactly constant (read back and checked after every step) and the
 * sparse network's held-out recall accuracy is within 3 points of the dense network's, at the
 * same task, sizes, seed and budget.
 */
export const deepRExperiment: Experiment = {
  id: 'deep-r',
  title:
    `DEEP R on the store-recall LSNN (20 LIF + 20 ALIF, τ_m = 4, τ_a = 200; 12 characters of 10 steps, T = 120): ${RECURRENT_CONNECTIVITY * 100}% of the recurrent and ${INPUT_CONNECTIVITY * 100}% of the input connections, ` +
    'count held exactly after every step, recall accuracy within 3 points of the dense network under the same budget (Bellec et al. 2018).',
  run: async (ctx) => {
    const dense = storeRecallScale('short-delay', ctx.quick, ctx.seed);
    const sparse: StoreRecallRun = { ...dense, network: { ...dense.network, deepR: { connectivity: RECURRENT_CONNECTIVITY, inputConnectivity: INPUT_CONNECTIVITY } }, deepR: REWIRING };
    const trained = async (model: string, run: StoreRecallRun) => {
      ctx.log(`training ${model}`);
      const start = performance.now();
      const outcome = await trainStoreRecall(ctx.backend, run, (line) => ctx.log(`${model}: ${line}`));
      return { outcome, seconds: (performance.now() - start) / 1e3 };
    };
    const d = await trained('dense LSNN', dense);
    const s = await trained('DEEP R LSNN', sparse);
    const denseAccuracy = 1 - d.outcome.recallError;
    const sparseAccuracy = 1 - s.outcome.recallError;
    return [
      storeRecallRow(ctx, { experiment: 'deep-r', model: 'dense LSNN', metric: 'recall accuracy' }, dense, d.outcome, d.seconds),
      storeRecallRow(
        ctx,
        { experiment: 'deep-r', model: 'DEEP R LSNN', metric: 'recall accuracy', target: `>= dense - ${MAX_GAP} = ${(denseAccuracy - MAX_GAP).toFixed(4)}`, met: sparseAccuracy >= denseAccuracy - MAX_GAP },
        sparse,
        s.outcome,
        s.seconds,
      ),
    ];
  },
};
