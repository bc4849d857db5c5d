import { cpuBackend } from '@spikeflow/core';
import { expect, it } from 'vitest';
import { eprop, onlineNetwork } from '../../src/learning/index.js';
import { alifNeuron } from '../../src/neurons/index.js';
import { adam } from '../../src/optim/adam.js';
import { evidenceAccumulation } from '../../src/tasks/index.js';
import { Trainer } from '../../src/trainer/index.js';

// e-prop through the Trainer, no BPTT anywhere: an ALIF network learns evidence accumulation
// (the task of the e-prop paper's Figure 3, at the small 'ci' scale, T = 56) on the CPU.

const B = 16;

it('an ALIF network trained by e-prop learns evidence accumulation', async () => {
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
  const losses: number[] = [];
  const trainer = await Trainer.create({
    backend: cpuBackend(),
    model: net.model,
    rule: eprop(net),
    optimizer: adam(),
    schedule: 0.01,
    seed: 1,
    data: { train: (_rng, epoch) => Array.from({ length: 10 }, (_, k) => toBatch(1000 + epoch * 10 + k)), test: () => [0, 1, 2, 3].map((k) => toBatch(k)) },
    accuracy: { scores: 'scores', labels: 'labels' },
    onMetric: (m) => void losses.push(m.testLoss!),
  });
  const before = await trainer.evaluate([0, 1, 2, 3].map((k) => toBatch(k)));
  const history = await trainer.runEpochs(6);
  const after = history[history.length - 1]!;
  console.log(`[eprop training] test loss ${before.loss.toFixed(4)} -> ${after.testLoss!.toFixed(4)}, accuracy ${before.accuracy} -> ${after.testAccuracy}`, history.map((h) => [h.loss.toFixed(3), h.testAccuracy]));
  expect(after.testLoss!).toBeLessThan(before.loss / 2);
  expect(after.testAccuracy!).toBeGreaterThan(0.75);
}, 120_000);
