// A small spiking classification task shared by the trainer and checkpoint tests (CPU and WebGPU):
// rate-coded inputs where class c makes its own group of channels fire more often.
import { tensor, trace, type Graph, type HostTensor } from '@spikeflow/core';
import { buildLif, buildLinear, lif, linear } from '../../src/index.js';
import { rateRegularizer, softmaxCrossEntropy, timeReadout } from '../../src/losses/index.js';
import { minibatches, type TrainerData } from '../../src/trainer/index.js';
import { testData } from '../../../../test/support/test-data.js';

export const TASK = { T: 6, B: 8, I: 12, H: 16, C: 3 } as const;

/** x [T, B, I] -> linear -> LIF -> linear -> LIF; class scores are output spike counts; loss CE + rate regularizer. */
export function spikeClassifier(): Graph {
  const { T, B, I, H, C } = TASK;
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const labels = b.input('labels', [B], 'i32');
    let h = b.scope('linear0', () => buildLinear(b, x, linear(I, H, { initScale: 4 })));
    const hidden = b.scope('lif1', () => buildLif(b, h, lif({ detachReset: true })));
    h = b.scope('linear2', () => buildLinear(b, hidden, linear(H, C, { initScale: 4 })));
    const out = b.scope('lif3', () => buildLif(b, h, lif({ detachReset: true })));
    const scores = timeReadout(out, 'count');
    const loss = softmaxCrossEntropy(scores, labels).add(rateRegularizer(hidden, { target: 0.2, weight: 0.1 }));
    return { loss, scores };
  });
}

/** Uniforms in [0, 1). */
export const uniforms = (seed: number, n: number): number[] => testData(seed, n);

/** n samples: x [T, n, I] spikes (p = 0.7 on the label's channel group, 0.1 elsewhere), labels [n]. */
export function spikeDataset(n: number, seed: number): { x: HostTensor; labels: HostTensor } {
  const { T, I, C } = TASK;
  const labels = uniforms(seed, n).map((u) => Math.floor(u * C));
  const u = uniforms(seed + 1, T * n * I);
  const group = I / C;
  const x = u.map((v, k) => {
    const sample = Math.floor(k / I) % n;
    const channel = k % I;
    return Number(v < (Math.floor(channel / group) === labels[sample] ? 0.7 : 0.1));
  });
  return { x: tensor([T, n, I], x), labels: tensor([n], labels, 'i32') };
}

/** 48 training samples reshuffled every epoch with the trainer's generator, 24 held out. */
export function spikeData(): TrainerData {
  const trainSet = spikeDataset(48, 11);
  const testSet = spikeDataset(24, 99);
  const fields = (set: { x: HostTensor; labels: HostTensor }) => ({ x: { tensor: set.x, axis: 1 }, labels: set.labels });
  return {
    train: (rng) => minibatches(fields(trainSet), { batchSize: TASK.B, rng }),
    test: () => minibatches(fields(testSet), { batchSize: TASK.B }),
  };
}
