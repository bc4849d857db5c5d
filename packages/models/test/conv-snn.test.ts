// A convolutional SNN written as a spec (conv2d → tdBN → lif → maxPool2d → flatten → linear):
// its shape flow, its JSON form, and training on the CPU with the Trainer, whose evaluation
// reads the running statistics the training steps reached.
import { cpuBackend, evaluate, tensor, toArray, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import {
  adam,
  buildClassifier,
  buildSequential,
  classifierHead,
  conv2d,
  decodeCheckpoint,
  flattenSpec,
  lif,
  linear,
  maxPool2dSpec,
  minibatches,
  runningStatNames,
  runningStatsAsParams,
  sequential,
  standardLayers,
  tdBN,
  Trainer,
  TRAINING_INPUT,
} from '../src/index.js';
import { testRandom } from '../../../test/support/test-data.js';

describe('a conv SNN spec', () => {
  const spec = sequential([conv2d(1, 8, 3, { padding: 1 }), lif(), maxPool2dSpec(2), flattenSpec(), linear(8 * 14 * 14, 10)]);

  it('builds on [T, B, 1, 28, 28] and gives [T, B, 10]', () => {
    const g = buildSequential(spec, { input: { name: 'x', shape: [4, 2, 1, 28, 28] }, library: standardLayers });
    expect(g.nodes[g.outputs[0]!.node]!.type).toEqual({ shape: [4, 2, 10], dtype: 'f32' });
  });

  it('its JSON form builds the same graph', () => {
    const input = { name: 'x', shape: [2, 1, 1, 28, 28] };
    const json = JSON.stringify({
      kind: 'sequential',
      layers: [{ kind: 'conv2d', in: 1, out: 8, kernel: 3, padding: 1 }, { kind: 'lif' }, { kind: 'maxPool2d', kernel: 2 }, { kind: 'flatten' }, { kind: 'linear', in: 1568, out: 10 }],
    });
    expect(buildSequential(json, { input, library: standardLayers })).toEqual(buildSequential(spec, { input, library: standardLayers }));
  });

  it('a flatten that leaves the wrong width for the linear layer is a shape error naming the layer', () => {
    const bad = sequential([conv2d(1, 8, 3, { padding: 1 }), lif(), maxPool2dSpec(2), flattenSpec(), linear(8 * 28 * 28, 10)]);
    expect(() => buildSequential(bad, { input: { name: 'x', shape: [2, 1, 1, 28, 28] }, library: standardLayers })).toThrow(/linear4.*\[\.\.\., 6272\]/);
  });
});

describe('training a conv SNN with tdBN on the CPU', () => {
  // Two classes of 6×6 images: bright pixels in the top half (class 0) or the bottom half (1), plus noise; T = 2 copies.
  const [T, N, SIDE] = [2, 48, 6];
  const next = testRandom(5);
  const labels = Array.from({ length: N }, (_, i) => i % 2);
  const pixels: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < SIDE * SIDE; k++) pixels.push((Math.floor(k / SIDE) < SIDE / 2) === (labels[n] === 0) ? 0.6 + 0.4 * next() : 0.3 * next());
    }
  }
  const x = tensor([T, N, 1, SIDE, SIDE], pixels);
  const y = tensor([N], labels, 'i32');
  const batch = 8;
  const spec = sequential([conv2d(1, 4, 3, { padding: 1 }), tdBN(4), lif({ tau: 2 }), maxPool2dSpec(2), flattenSpec(), linear(4 * 3 * 3, 2)]);
  const model = buildClassifier(spec, { input: { name: 'x', shape: [T, batch, 1, SIDE, SIDE] }, head: classifierHead({ readout: 'mean' }) });
  const batches = (rng?: Parameters<typeof minibatches>[1]['rng']) => minibatches({ x: { tensor: x, axis: 1 }, labels: y }, { batchSize: batch, rng });

  it('the loss falls, and evaluation uses the running statistics the steps reached', async () => {
    const trainer = await Trainer.create({ backend: cpuBackend(), model, optimizer: adam(), schedule: 0.02, seed: 3, data: { train: (rng) => batches(rng) }, accuracy: { scores: 'scores', labels: 'labels' } });
    try {
      const before = await trainer.evaluate(batches());
      await trainer.runEpochs(8);
      const after = await trainer.evaluate(batches());
      expect(after.loss).toBeLessThan(before.loss / 3);
      expect(after.accuracy).toBeGreaterThan(0.9);

      // The running statistics are state of the training run, moved away from their initial 0 and 1.
      const { tensors } = decodeCheckpoint(await trainer.checkpoint());
      expect(runningStatNames(model)).toEqual(['tdBN1/runningMean', 'tdBN1/runningVar']);
      const mean = toArray(tensors['tdBN1/runningMean']!);
      const variance = toArray(tensors['tdBN1/runningVar']!);
      expect(Math.min(...mean.map(Math.abs))).toBeGreaterThan(1e-3);
      expect(Math.min(...variance.map((v) => Math.abs(v - 1)))).toBeGreaterThan(1e-3);

      // The trainer's evaluation equals the model run by hand, in evaluation mode, with those statistics as params.
      const params: Record<string, HostTensor> = { ...(await trainer.params()), 'tdBN1/runningMean': tensors['tdBN1/runningMean']!, 'tdBN1/runningVar': tensors['tdBN1/runningVar']! };
      const frozen = runningStatsAsParams(model);
      expect(frozen.state).toHaveLength(0);
      const byHand = batches().map((b) => toArray(evaluate(frozen, { inputs: { ...b, [TRAINING_INPUT]: 0 }, params }).outputs.loss!)[0]!);
      expect(after.loss).toBeCloseTo(byHand.reduce((a, b) => a + b, 0) / byHand.length, 6);
      // With the initial statistics (mean 0, variance 1) instead, the held-out loss differs: the statistics matter.
      const trained = await trainer.params();
      const initial = batches().map((b) => toArray(evaluate(model, { inputs: { ...b, [TRAINING_INPUT]: 0 }, params: trained }).outputs.loss!)[0]!);
      expect(Math.abs(initial.reduce((a, b) => a + b, 0) / initial.length - after.loss)).toBeGreaterThan(1e-3);
    } finally {
      trainer.destroy();
    }
  });
});
