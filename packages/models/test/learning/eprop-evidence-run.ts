import type { TrainBackend } from '@spikeflow/core';
import { adam, alifNeuron, eprop, evidenceAccumulation, onlineNetwork, Trainer } from '@spikeflow/models';

// e-prop through the Trainer, no BPTT anywhere: an ALIF network trained on evidence accumulation
// (the task of the e-prop paper's Figure 3, at the small 'ci' scale, T = 56), on any backend.

const B = 16;

/** Held-out loss and accuracy before training and after `epochs` epochs of 10 e-prop steps. */
export async function trainEpropEvidence(backend: TrainBackend, epochs: number) {
  const task = evidenceAccumulation();
  const { steps, inputSize, outputSize } = task.info;
  const net = onlineNetwork({
    neuron: alifNeuron,
    neuronAttrs: { tauM: 10, tauA: 60, beta: 1, b0: 0.3, nRef: 2 },
    inputs: inputSize,
    hidden: 16,
    outputs: outputSize,
    steps,
    batch: B,
    readoutDecay: Math.exp(-1 / 10),
    inputScale: 3,
    rateRegularization: { target: 0.05, weight: 0.1 },
  });
  const toBatch = (seed: number) => {
    const t = task.batch(B, seed);
    return { x: t.inputs.x!, targets: t.targets, mask: t.mask, labels: t.labels! };
  };
  const trainer = await Trainer.create({
    backend,
    model: net.model,
    rule: eprop(net),
    optimizer: adam(),
    schedule: 0.01,
    seed: 1,
    data: { train: (_rng, epoch) => Array.from({ length: 10 }, (_, k) => toBatch(1000 + epoch * 10 + k)), test: () => [0, 1, 2, 3].map((k) => toBatch(k)) },
    accuracy: { scores: 'scores', labels: 'labels' },
  });
  try {
    const before = await trainer.evaluate([0, 1, 2, 3].map((k) => toBatch(k)));
    const history = await trainer.runEpochs(epochs);
    const after = history[history.length - 1]!;
    console.log(`[eprop training] test loss ${before.loss.toFixed(4)} -> ${after.testLoss!.toFixed(4)}, accuracy ${before.accuracy} -> ${after.testAccuracy}`, history.map((h) => [h.loss.toFixed(3), h.testAccuracy]));
    return { before: { loss: before.loss, accuracy: before.accuracy! }, after: { loss: after.testLoss!, accuracy: after.testAccuracy! } };
  } finally {
    trainer.destroy();
  }
}
