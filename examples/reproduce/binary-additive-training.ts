import type { TrainBackend } from '@spikeflow/core';
import { adam, binaryAdditive, eprop, lifNeuron, onlineNetwork, rateNeuron, rflo, Trainer, type BinaryAdditiveBatch, type OnlineNetwork } from '@spikeflow/models';

/**
 * The binary additive task (lags 5 and 9) learned by one network per learning rule: a tanh rate RNN
 * trained online by RFLO (fixed random feedback) or by BPTT, and an LIF RSNN trained online by
 * e-prop (symmetric feedback); the rate RNN with its readout alone trained is the control. The score is the held-out cross-entropy per scored step, against the
 * task's floors (0.662 knowing nothing, 0.519 knowing x_{t−5}, 0.455 knowing both lags).
 */

/** `readout`: the rate RNN with only W_out and b trained (their exact gradient, the delta rule): the control for what the hidden updates add. */
export type Learner = 'rflo' | 'eprop' | 'bptt' | 'readout';

export interface BinaryAdditiveRun {
  readonly learner: Learner;
  readonly steps: number;
  readonly hidden: number;
  readonly batch: number;
  /** Training steps (one batch each). */
  readonly trainSteps: number;
  readonly lr: number;
  /** The rate unit's leak α (rate networks): r_t = (1 − α) r_{t−1} + α tanh(u_t). */
  readonly alpha: number;
  /** Steps between two points of the validation curve. */
  readonly curveEvery: number;
  /** Batches of the validation split, scored at each curve point. */
  readonly validationBatches: number;
  /** Batches of the held-out test split, scored once at the end. */
  readonly testBatches: number;
  readonly seed: number;
}

export interface CurvePoint {
  readonly step: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
}

export interface BinaryAdditiveOutcome {
  readonly initialLoss: number;
  readonly heldOutLoss: number;
  readonly curve: readonly CurvePoint[];
  /** The network, in words, for the results file. */
  readonly network: string;
}

/**
 * The e-prop RSNN's LIF (soft reset, detached as e-prop does): τ = 2 steps and strong input and
 * recurrent weights, the best of a few settings for a readout on the untrained network.
 */
const LIF = { tau: 2, vThreshold: 0.5, vReset: null, detachReset: true } as const;

/** Training, validation and test episodes come from disjoint task seeds: batch k of a split uses seed base + k. */
const splits = (seed: number) => ({ train: seed * 2 ** 32, validation: seed * 2 ** 32 + 2 ** 30, test: seed * 2 ** 32 + 2 ** 31 });

function networkFor(run: BinaryAdditiveRun, inputs: number, outputs: number): { net: OnlineNetwork; description: string } {
  const sizes = { inputs, hidden: run.hidden, outputs, steps: run.steps, batch: run.batch };
  if (run.learner === 'eprop') {
    return {
      net: onlineNetwork({ ...sizes, neuron: lifNeuron, neuronAttrs: LIF, inputScale: 3, recurrentScale: 3, rateRegularization: { target: 0.1, weight: 0.1 } }),
      description: `${run.hidden} LIF (tau ${LIF.tau}, threshold ${LIF.vThreshold}, soft reset; input and recurrent weights N(0, 9/fan-in)), readout without leak, firing-rate term 0.1 toward 0.1`,
    };
  }
  return { net: onlineNetwork({ ...sizes, neuron: rateNeuron, neuronAttrs: { alpha: run.alpha } }), description: `${run.hidden} tanh rate units (alpha ${run.alpha}), linear readout` };
}

export async function trainBinaryAdditive(backend: TrainBackend, run: BinaryAdditiveRun, log: (line: string) => void): Promise<BinaryAdditiveOutcome> {
  const task = binaryAdditive({ steps: run.steps, lag1: 5, lag2: 9 });
  const { net, description } = networkFor(run, task.info.inputSize, task.info.outputSize);
  const seeds = splits(run.seed);
  const feeds = (batch: BinaryAdditiveBatch) => ({ x: batch.inputs.x!, targets: batch.targets, mask: batch.mask });
  const split = (base: number, batches: number) => Array.from({ length: batches }, (_, k) => feeds(task.batch(run.batch, base + k)));
  const validation = split(seeds.validation, run.validationBatches);
  const rule = run.learner === 'rflo' ? rflo(net, { feedback: { kind: 'random', seed: run.seed } }) : run.learner === 'eprop' ? eprop(net) : undefined;
  const trainer = await Trainer.create({
    backend,
    model: net.model,
    ...(rule ? { rule } : {}),
    ...(run.learner === 'readout' ? { wrt: [net.params.readout!, net.params.bias!] } : {}),
    optimizer: adam(),
    schedule: run.lr,
    seed: run.seed,
    lossEvery: run.curveEvery,
    data: {
      train: (_rng, epoch) => Array.from({ length: run.curveEvery }, (_, s) => feeds(task.batch(run.batch, seeds.train + epoch * run.curveEvery + s))),
      test: () => validation,
    },
  });
  try {
    const initialLoss = (await trainer.evaluate(validation)).loss;
    const curve: CurvePoint[] = [];
    for (let done = 0; done < run.trainSteps; done += run.curveEvery) {
      const [m] = await trainer.runEpochs(1);
      curve.push({ step: m!.step, trainLoss: m!.loss, validationLoss: m!.testLoss! });
      log(`${run.learner}: step ${m!.step}, train loss ${m!.loss.toFixed(3)}, validation loss ${m!.testLoss!.toFixed(3)}`);
    }
    const heldOutLoss = (await trainer.evaluate(split(seeds.test, run.testBatches))).loss;
    return { initialLoss, heldOutLoss, curve, network: description };
  } finally {
    trainer.destroy();
  }
}
