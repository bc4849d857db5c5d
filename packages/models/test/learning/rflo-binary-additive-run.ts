import type { TrainBackend } from '@spikeflow/core';
import { adam, binaryAdditive, onlineNetwork, rateNeuron, rflo, Trainer, type Feedback } from '@spikeflow/models';

// RFLO through the Trainer, no BPTT anywhere: a 32-unit tanh rate RNN (α = 1) on the binary
// additive task (lags 5 and 9, T = 50), on any backend. The task's floors: 0.662 knowing nothing,
// 0.519 knowing x_{t−5}, 0.455 knowing both lags.

const [T, B, N] = [50, 16, 32];

export interface RfloCheck {
  readonly feedback: Feedback;
  /** Train W_in and W_rec only (the readout W_out and b stay at their init). */
  readonly frozenReadout: boolean;
  /** Adam steps (one batch each). */
  readonly steps: number;
  readonly lr: number;
}

/** The held-out loss (4 batches from a disjoint seed range) before and after training. */
export async function trainRfloBinaryAdditive(backend: TrainBackend, check: RfloCheck): Promise<{ before: number; after: number }> {
  const task = binaryAdditive({ steps: T, lag1: 5, lag2: 9 });
  const net = onlineNetwork({ neuron: rateNeuron, neuronAttrs: { alpha: 1 }, inputs: 2, hidden: N, outputs: 2, steps: T, batch: B });
  const toBatch = (seed: number) => {
    const t = task.batch(B, seed);
    return { x: t.inputs.x!, targets: t.targets, mask: t.mask };
  };
  const heldOut = [0, 1, 2, 3].map((k) => toBatch(1_000_000 + k));
  const trainer = await Trainer.create({
    backend,
    model: net.model,
    rule: rflo(net, { feedback: check.feedback }),
    ...(check.frozenReadout ? { wrt: [net.params.input!, net.params.recurrent!] } : {}),
    optimizer: adam(),
    schedule: check.lr,
    seed: 1,
    lossEvery: check.steps,
    data: { train: () => Array.from({ length: check.steps }, (_, k) => toBatch(k)), test: () => heldOut },
  });
  try {
    const before = (await trainer.evaluate(heldOut)).loss;
    const [m] = await trainer.runEpochs(1);
    const after = m!.testLoss!;
    console.log(`[rflo training] ${check.feedback.kind} feedback${check.frozenReadout ? ', readout frozen' : ''}: held-out loss ${before.toFixed(4)} -> ${after.toFixed(4)}`);
    return { before, after };
  } finally {
    trainer.destroy();
  }
}
