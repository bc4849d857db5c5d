// The dataset interface: seeded splits, minibatches in the trainer's layout, the Task adapter;
// and a tiny SNN trained on the checked-in moving-bars event fixture to above chance.
import { readFileSync } from 'node:fs';
import { cpuBackend, tensor, toArray, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import {
  adam,
  classifierModel,
  datasetData,
  datasetTask,
  defaultClassifierSpec,
  eventDataset,
  labelledDataset,
  parseEventText,
  SeededRng,
  splitDataset,
  train,
  type Batch,
  type EpochMetrics,
} from '../src/index.js';
import { thrown } from './support/thrown.js';

/** N samples whose single feature is their index, labelled by parity. */
const indexed = (n: number) => labelledDataset(tensor([n, 1], Array.from({ length: n }, (_, i) => i)), tensor([n], Array.from({ length: n }, (_, i) => i % 2), 'i32'), { name: 'idx' });

describe('splits', () => {
  it('cuts a seeded shuffle into disjoint train, validation and test parts covering every sample', () => {
    const { train: tr, validation, test } = splitDataset(indexed(10), { test: 0.2, validation: 0.1, seed: 7 });
    const ids = [tr, validation!, test!].map((d) => toArray(d.x));
    expect(ids.map((i) => i.length)).toEqual([7, 1, 2]);
    expect(ids.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Labels travel with their samples.
    [tr, validation!, test!].forEach((d) => expect(toArray(d.labels)).toEqual(toArray(d.x).map((i) => i % 2)));
    // The order is the trainer generator's permutation for this seed, so it is reproducible.
    expect(ids.flat()).toEqual(new SeededRng(7).permutation(10));
    expect(toArray(splitDataset(indexed(10), { test: 0.2, seed: 8 }).test!.x)).not.toEqual(ids[2]);
  });

  it('refuses fractions that leave a part empty or no training samples', () => {
    expect(thrown(() => splitDataset(indexed(10), { test: 0.01, seed: 0 })).message).toContain("at 'split.test': 0.01 of 10 samples is less than one sample");
    expect(thrown(() => splitDataset(indexed(10), { test: 0.6, validation: 0.4, seed: 0 })).message).toContain("at 'split': the held-out parts take all 10 samples");
    expect(thrown(() => splitDataset(indexed(10), { test: 1, seed: 0 })).message).toContain("at 'split.test': a held-out fraction lies in [0, 1)");
  });

  it('refuses labels outside the classes and mismatched counts, naming the data set', () => {
    expect(thrown(() => labelledDataset(tensor([2, 1], [0, 1]), tensor([2], [0, 3], 'i32'), { name: 'd', classes: 2 })).message).toContain("at 'd: labels': label 1 is 3");
    expect(thrown(() => labelledDataset(tensor([2, 1], [0, 1]), tensor([3], [0, 1, 0], 'i32'), { name: 'd' })).message).toContain('x holds 2 samples and the labels 3');
  });
});

describe('batches for the trainer', () => {
  // 4 sequences [T = 2, F = 1]: sample i holds (10i, 10i + 1).
  const seq = labelledDataset(tensor([4, 2, 1], [0, 1, 10, 11, 20, 21, 30, 31]), tensor([4], [0, 1, 0, 1], 'i32'), { name: 'seq', sequence: true });

  it('gives time-major x [T, B, F] and labels [B] from the same shuffled samples, dropping a partial batch', () => {
    const rng = new SeededRng(3);
    const order = new SeededRng(3).permutation(4);
    const batches = [...(datasetData({ train: seq }, { batch: 3 }).train(rng, 0) as Iterable<Batch>)];
    expect(batches).toHaveLength(1);
    const [a, b, c] = order;
    const { x, labels } = batches[0] as Record<string, HostTensor>;
    expect(x!.type.shape).toEqual([2, 3, 1]);
    expect(toArray(x!)).toEqual([10 * a!, 10 * b!, 10 * c!, 10 * a! + 1, 10 * b! + 1, 10 * c! + 1]);
    expect(toArray(labels!)).toEqual([a! % 2, b! % 2, c! % 2]);
  });

  it('as a Task: a static sample is held for `steps` steps, a sequence keeps its own T', () => {
    const task = datasetTask(indexed(4), { steps: 3 });
    expect(task.info).toMatchObject({ steps: 3, inputSize: 1, outputSize: 2, target: 'class' });
    const batch = task.encode([2, 1]);
    expect(toArray(batch.inputs.x!)).toEqual([2, 1, 2, 1, 2, 1]);
    expect(toArray(batch.labels!)).toEqual([0, 1]);
    expect(toArray(datasetTask(seq).encode([3, 0]).inputs.x!)).toEqual([30, 0, 31, 1]);
  });
});

describe('the moving-bars event fixture', () => {
  it('loads, bins to [T, 2, 6, 6] frames and trains a small SNN on the CPU to above chance', async () => {
    const table = parseEventText(readFileSync(new URL('./fixtures/moving-bars.csv', import.meta.url), 'utf8'), 'moving-bars.csv');
    const data = eventDataset(table, { binning: { window: 1000, steps: 6 }, sensor: [6, 6] });
    expect(data.x.type.shape).toEqual([24, 6, 2, 6, 6]);
    expect(toArray(data.labels).filter((l) => l === 1)).toHaveLength(12);
    const split = splitDataset(data, { test: 0.25, seed: 1 });
    const info = datasetTask(split.train).info;
    const batch = 6;
    const history: EpochMetrics[] = [];
    const { trainer } = await train({
      backend: cpuBackend(),
      model: classifierModel(defaultClassifierSpec(info, 16), info, batch),
      optimizer: adam(),
      data: datasetData(split, { batch }),
      schedule: 0.02,
      epochs: 6,
      seed: 2,
      accuracy: { scores: 'scores', labels: 'labels' },
      onMetric: (m) => void history.push(m),
    });
    trainer.destroy();
    const testLabels = toArray(split.test!.labels);
    const chance = Math.max(...[0, 1].map((c) => testLabels.filter((l) => l === c).length)) / testLabels.length;
    expect(history.at(-1)!.loss).toBeLessThan(history[0]!.loss);
    expect(history.at(-1)!.testAccuracy!).toBeGreaterThan(chance);
  });
});
