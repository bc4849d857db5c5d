/**
 * Store-recall (Bellec et al. 2018) at the short-delay scale with one ALIF layer (`onlineNetwork`:
 * one neuron kind, so no LIF half as in the LSNN), trained by e-prop or by BPTT
 * (withTrainedNetwork, the epoch kept chosen on validation loss). The recall error is counted as
 * the reference does: per recall character, the argmax of the logits averaged over its steps.
 */
import { toArray, type HostTensor, type TrainBackend } from '@spikeflow/core';
import { alifNeuron, storeRecall, type OnlineNetworkOptions, type StoreRecallOptions, type TaskBatch } from '@spikeflow/models';
import { withTrainedNetwork, type OnlineBudget, type OnlineLearning, type ValidationPoint } from './online-network-training.js';

export interface OnlineStoreRecallRun extends OnlineBudget {
  readonly task: StoreRecallOptions;
  readonly network: { readonly hidden: number; readonly tauM: number; readonly tauA: number; readonly beta: number; readonly tauOut: number };
  readonly batch: number;
  readonly validationBatches: number;
  readonly testBatches: number;
  readonly seed: number;
}

export interface OnlineStoreRecallOutcome {
  readonly recallError: number;
  readonly recalls: number;
  readonly chosenSteps: number;
  readonly initialValidationLoss: number;
  readonly curve: readonly ValidationPoint[];
  readonly trainSeconds: number;
}

export function storeRecallNetworkOptions(run: OnlineStoreRecallRun): OnlineNetworkOptions {
  const { steps, inputSize, outputSize } = storeRecall(run.task).info;
  const n = run.network;
  return {
    neuron: alifNeuron,
    neuronAttrs: { tauM: n.tauM, tauA: n.tauA, beta: n.beta, b0: 0.3, nRef: 2 },
    inputs: inputSize,
    hidden: n.hidden,
    outputs: outputSize,
    steps,
    batch: run.batch,
    readoutDecay: Math.exp(-1 / n.tauOut),
    inputScale: 3,
    rateRegularization: { target: 0.05, weight: 0.1 },
  };
}

/** The mask scoring only the steps of character `char` (the model's `scores` then average the logits over it). */
function characterMask(mask: HostTensor, char: number, charSteps: number): HostTensor {
  const [, batch] = mask.type.shape as [number, number];
  const all = toArray(mask);
  const data = new Float32Array(all.length);
  for (let k = char * charSteps * batch; k < (char + 1) * charSteps * batch; k++) data[k] = all[k]!;
  return { type: mask.type, data };
}

/** Wrong recalls in one batch: one forward run per character, its scores' argmax against the target. */
async function countWrong(run: (feeds: Record<string, HostTensor>) => Promise<Record<string, HostTensor>>, batch: TaskBatch, task: StoreRecallOptions): Promise<{ wrong: number; recalls: number }> {
  const [, size] = batch.mask.type.shape as [number, number];
  const [mask, targets] = [toArray(batch.mask), toArray(batch.targets)];
  let [wrong, recalls] = [0, 0];
  for (let char = 0; char < task.length; char++) {
    const t0 = char * task.charSteps;
    const rows = Array.from({ length: size }, (_, b) => b).filter((b) => mask[t0 * size + b] !== 0);
    if (rows.length === 0) continue;
    const scores = toArray((await run({ x: batch.inputs.x!, targets: batch.targets, mask: characterMask(batch.mask, char, task.charSteps) })).scores!);
    const classes = scores.length / size;
    for (const b of rows) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (scores[b * classes + c]! > scores[b * classes + best]!) best = c;
      wrong += Number(best !== targets[t0 * size + b]);
      recalls++;
    }
  }
  return { wrong, recalls };
}

const SEEDS_PER_RUN = 1_000_000;
const VALIDATION_OFFSET = 800_000;
const TEST_OFFSET = 900_000;

export async function trainOnlineStoreRecall(backend: TrainBackend, run: OnlineStoreRecallRun, learning: OnlineLearning, log: (line: string) => void): Promise<OnlineStoreRecallOutcome> {
  const task = storeRecall(run.task);
  const episodes = (offset: number, count: number) => Array.from({ length: count }, (_, k) => task.batch(run.batch, run.seed * SEEDS_PER_RUN + offset + k));
  const feeds = (b: TaskBatch) => ({ x: b.inputs.x!, targets: b.targets, mask: b.mask });
  const range = (offset: number, count: number) => episodes(offset, count).map(feeds);
  const network = storeRecallNetworkOptions(run);
  const spec = { backend, network, learning, budget: run, seed: run.seed, trainBatches: range, validation: range(VALIDATION_OFFSET, run.validationBatches), accuracy: false, log };
  return withTrainedNetwork(spec, async ({ net, chosen, initial, curve, trainSeconds }) => {
    const forward = await backend.compile(net.model, { seed: run.seed });
    try {
      forward.setParams(chosen.params);
      const runOnce = (f: Record<string, HostTensor>) => {
        forward.resetState();
        return forward.run(f);
      };
      let [wrong, recalls] = [0, 0];
      for (const batch of episodes(TEST_OFFSET, run.testBatches)) {
        const counted = await countWrong(runOnce, batch, run.task);
        wrong += counted.wrong;
        recalls += counted.recalls;
      }
      return { recallError: wrong / recalls, recalls, chosenSteps: chosen.steps, initialValidationLoss: initial.validationLoss, curve, trainSeconds };
    } finally {
      forward.destroy();
    }
  });
}
