/**
 * One store-recall training routine for the LSNN experiments (store-recall: ALIF vs β = 0; deep-r:
 * DEEP R vs dense): build the LSNN, train it with Adam on fresh episodes every step, rewire and
 * check the connection count after every step when DEEP R is on, and measure the recall error on
 * fresh held-out episodes.
 */
import { fail, toArray, trace, type Graph, type HostTensor, leafName, type Runner, type StepRunner, type Tensor, type TrainBackend } from '@spikeflow/core';
import {
  adam,
  countActive,
  DeepRewiring,
  lsnn,
  lsnnRateRegularizer,
  storeRecall,
  storeRecallLsnn,
  trainingGraph,
  type DeepRParam,
  type LsnnOptions,
  type Schedule,
  type StoreRecallOptions,
  type TaskBatch,
} from '@spikeflow/models';

/** The LSNN's options apart from the sizes the task fixes. */
export type StoreRecallNetwork = Omit<LsnnOptions, 'inputs' | 'outputs'>;

export interface StoreRecallBudget {
  /** Optimizer steps, one fresh batch each. */
  readonly steps: number;
  readonly batch: number;
  /** Adam's learning rate at optimizer step t. */
  readonly lr: Schedule;
  /** Held-out evaluation every this many steps (the learning curve). */
  readonly evalEvery: number;
  /** Episodes of each learning-curve evaluation. */
  readonly curveEpisodes: number;
  /** Episodes of the final held-out evaluation. */
  readonly testEpisodes: number;
  /** Episodes per forward call when evaluating (the compiled eval batch). */
  readonly evalBatch: number;
}

/** DEEP R's rewiring after each step (the connectivity itself is `network.deepR`). */
export interface DeepRSchedule {
  readonly l1: number;
  readonly temperature: number;
}

export interface StoreRecallRun {
  readonly task: StoreRecallOptions;
  readonly network: StoreRecallNetwork;
  readonly budget: StoreRecallBudget;
  /** The LSNN paper's firing-rate regularizer, added to the loss. */
  readonly rateRegularizer?: { readonly targetHz: number; readonly weight: number };
  readonly deepR?: DeepRSchedule;
  readonly seed: number;
}

export interface CurvePoint {
  readonly step: number;
  /** Mean training loss over the steps since the previous point. */
  readonly trainLoss: number;
  readonly heldOutLoss: number;
  readonly heldOutError: number;
}

export interface StoreRecallOutcome {
  /** Fraction of wrong recalls on fresh held-out episodes after training. */
  readonly recallError: number;
  readonly recalls: number;
  readonly heldOutLoss: number;
  readonly curve: readonly CurvePoint[];
  /** Held-out recall error before training. */
  readonly initialError: number;
  readonly initialLoss: number;
  /** Active connections per DEEP R weight (held at this count after every step), and the total revived. */
  readonly connections?: Readonly<Record<string, { readonly active: number; readonly of: number }>>;
  readonly revived?: number;
  /** Per DEEP R weight, its active count as read back from the runner after each step's rewiring. */
  readonly activePerStep?: Readonly<Record<string, readonly number[]>>;
  readonly trainSeconds: number;
}

/** Softmax cross-entropy of logits [T, B, C] against class indices [T, B], averaged over the masked steps. */
function maskedCrossEntropy(logits: Tensor, classes: Tensor, mask: Tensor): Tensor {
  const shifted = logits.sub(logits.max(-1, true).stopGradient());
  const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
  const picked = logProbs.mul(classes.oneHot(logits.shape[2]!)).sum(-1);
  return picked.mul(mask).sum().neg().div(mask.sum().maximum(1));
}

/** Training and held-out episodes come from disjoint seed ranges of the run's seed. */
const SEEDS_PER_RUN = 1_000_000;
const HELD_OUT_OFFSET = 900_000;
const trainSeed = (seed: number, step: number) => seed * SEEDS_PER_RUN + step;
const heldOutSeed = (seed: number, batch: number) => seed * SEEDS_PER_RUN + HELD_OUT_OFFSET + batch;

/** The store-recall LSNN as a graph of batch `batch`: loss and readout, plus its DEEP R weights. */
export function storeRecallModel(run: Pick<StoreRecallRun, 'task' | 'network' | 'rateRegularizer'>, batch: number): { graph: Graph; deepR: readonly DeepRParam[] } {
  const info = storeRecall(run.task).info;
  const net = lsnn(storeRecallLsnn({ inputs: info.inputSize, outputs: info.outputSize }, run.network));
  let deepR: readonly DeepRParam[] = [];
  const graph = trace((b) => {
    const p = net(b, b.input('x', [info.steps, batch, info.inputSize]));
    deepR = p.deepR;
    let loss = maskedCrossEntropy(p.readout, b.input('targets', [info.steps, batch], 'i32'), b.input('mask', [info.steps, batch]));
    if (run.rateRegularizer !== undefined) loss = loss.add(lsnnRateRegularizer(p.spikes, { ...run.rateRegularizer, dtMs: p.config.dt }));
    return { loss, readout: p.readout };
  });
  return { graph, deepR };
}

/**
 * Wrong recalls in a batch: a recall character is answered by the argmax of the readout summed
 * over its steps (the reference code averages the output over the character).
 */
export function countRecallErrors(readout: HostTensor, batch: TaskBatch, charSteps: number): { wrong: number; recalls: number } {
  const [steps, size, classes] = readout.type.shape as [number, number, number];
  const [y, targets, mask] = [toArray(readout), toArray(batch.targets), toArray(batch.mask)];
  let wrong = 0;
  let recalls = 0;
  for (let b = 0; b < size; b++) {
    for (let t0 = 0; t0 < steps; t0 += charSteps) {
      if (mask[t0 * size + b] === 0) continue;
      const score = new Float64Array(classes);
      for (let t = t0; t < t0 + charSteps; t++) for (let c = 0; c < classes; c++) score[c] += y[(t * size + b) * classes + c]!;
      let best = 0;
      for (let c = 1; c < classes; c++) if (score[c]! > score[best]!) best = c;
      wrong += Number(best !== targets[t0 * size + b]);
      recalls++;
    }
  }
  return { wrong, recalls };
}

const paramNames = (g: Graph) => g.params.map((id) => leafName(g.nodes[id]!));
const feedsOf = (batch: TaskBatch): Record<string, HostTensor> => ({ x: batch.inputs.x!, targets: batch.targets, mask: batch.mask });

function expectPositiveInt(where: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) fail('attr', where, 'must be a positive integer', 'an integer >= 1', String(value));
}

/** Held-out loss and recall error of the trained params over `episodes` fresh episodes. */
async function heldOut(run: StoreRecallRun, forward: Runner, step: StepRunner, names: readonly string[], episodes: number): Promise<{ loss: number; error: number; recalls: number }> {
  const task = storeRecall(run.task);
  forward.setParams(await step.readState(names));
  const { evalBatch } = run.budget;
  let [wrong, recalls, lossSum, calls] = [0, 0, 0, 0];
  for (let k = 0; k * evalBatch < episodes; k++) {
    const batch = task.batch(evalBatch, heldOutSeed(run.seed, k));
    forward.resetState();
    const out = await forward.run(feedsOf(batch));
    const counted = countRecallErrors(out.readout!, batch, run.task.charSteps);
    wrong += counted.wrong;
    recalls += counted.recalls;
    lossSum += toArray(out.loss!)[0]!;
    calls++;
  }
  return { loss: lossSum / calls, error: wrong / recalls, recalls };
}

/**
 * Trains one store-recall LSNN. With `deepR`, DEEP R rewires θ after every optimizer step and the
 * active count of every DEEP R weight is read back and checked against its target before the next
 * step; a mismatch throws.
 */
export async function trainStoreRecall(backend: TrainBackend, run: StoreRecallRun, log: (line: string) => void): Promise<StoreRecallOutcome> {
  const { budget } = run;
  for (const key of ['steps', 'batch', 'evalEvery', 'curveEpisodes', 'testEpisodes', 'evalBatch'] as const) expectPositiveInt(`budget.${key}`, budget[key]);
  if (run.deepR !== undefined && run.network.deepR === undefined) fail('spec', 'network.deepR', 'a DEEP R schedule needs a sparse network', '{ connectivity }', 'undefined');
  const task = storeRecall(run.task);
  const model = storeRecallModel(run, budget.batch);
  const evalModel = storeRecallModel(run, budget.evalBatch);
  const names = paramNames(model.graph);
  const step = await backend.compileTrainStep(trainingGraph(model.graph, { loss: 'loss', optimizer: adam() }), { seed: run.seed });
  const forward = await backend.compile(evalModel.graph, { seed: run.seed });
  try {
    const rewiring = run.deepR && new DeepRewiring(model.deepR, { eta: budget.lr(0), ...run.deepR, seed: run.seed });
    const initial = await heldOut(run, forward, step, names, budget.curveEpisodes);
    const curve: CurvePoint[] = [];
    let [lossSum, lossCount, revived] = [0, 0, 0];
    const activePerStep: Record<string, number[]> = Object.fromEntries(model.deepR.map((p) => [p.name, []]));
    const start = performance.now();
    for (let k = 0; k < budget.steps; k++) {
      const lr = budget.lr(k);
      lossSum += await step.stepWithLoss({ ...feedsOf(task.batch(budget.batch, trainSeed(run.seed, k))), lr });
      lossCount++;
      if (rewiring !== undefined) {
        const counts = await rewiring.apply(step, lr);
        const theta = await step.readState(model.deepR.map((p) => p.name));
        for (const p of model.deepR) {
          const active = countActive(theta[p.name]!.data);
          activePerStep[p.name]!.push(active);
          if (active !== p.target) fail('spec', `deepR.${p.name}`, `the active connection count changed at step ${k}`, String(p.target), String(active));
          revived += counts[p.name]!.revived;
        }
      }
      if ((k + 1) % budget.evalEvery === 0 || k + 1 === budget.steps) {
        const h = await heldOut(run, forward, step, names, budget.curveEpisodes);
        curve.push({ step: k + 1, trainLoss: lossSum / lossCount, heldOutLoss: h.loss, heldOutError: h.error });
        log(`step ${k + 1}/${budget.steps}: train loss ${(lossSum / lossCount).toFixed(4)}, held-out loss ${h.loss.toFixed(4)}, recall error ${h.error.toFixed(4)} (${((performance.now() - start) / 1e3).toFixed(0)} s)`);
        [lossSum, lossCount] = [0, 0];
      }
    }
    const trainSeconds = (performance.now() - start) / 1e3;
    const final = await heldOut(run, forward, step, names, budget.testEpisodes);
    const connections =
      model.deepR.length === 0
        ? undefined
        : Object.fromEntries(model.deepR.map((p) => [p.name, { active: p.target, of: p.eligible === undefined ? p.shape[0]! * p.shape[1]! : countActive(p.eligible) }]));
    return {
      recallError: final.error,
      recalls: final.recalls,
      heldOutLoss: final.loss,
      curve,
      initialError: initial.error,
      initialLoss: initial.loss,
      ...(connections ? { connections, revived, activePerStep } : {}),
      trainSeconds,
    };
  } finally {
    step.destroy();
    forward.destroy();
  }
}
