import type { HostTensor } from '@spikeflow/core';
import { minibatches, type BatchField } from '../trainer/batches.js';
import type { TrainerData } from '../trainer/trainer.js';
import type { LabelledDataset } from './dataset.js';
import type { DatasetSplit } from './split.js';

/** [N, T, ...] → [T, N, ...]. */
function timeMajor(x: HostTensor): HostTensor {
  const [n, t, ...rest] = x.type.shape as [number, number, ...number[]];
  const inner = rest.reduce((a, d) => a * d, 1);
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < n; i++) for (let s = 0; s < t; s++) data.set(x.data.subarray((i * t + s) * inner, (i * t + s + 1) * inner), (s * n + i) * inner);
  return { type: { shape: [t, n, ...rest], dtype: x.type.dtype }, data };
}

/**
 * A data set's fields as `minibatches` takes them: `x` (a sequence data set turned time-major
 * once, so its batches are [T, B, ...]) and `labels` [B], the inputs of `classifierModel`.
 */
export function datasetFields(d: LabelledDataset): { x: BatchField; labels: HostTensor } {
  return { x: d.sequence ? { tensor: timeMajor(d.x), axis: 1 } : { tensor: d.x }, labels: d.labels };
}

export interface DatasetDataOptions {
  readonly batch: number;
  /** Evaluate after each epoch on `test` (default) or `validation`. */
  readonly evaluate?: 'test' | 'validation';
}

/**
 * A split as trainer data: every epoch is one pass over the training samples in minibatches of
 * `batch`, shuffled by the trainer's generator (so the seed fixes the order and a checkpoint
 * restores it); held-out batches are in order, and a last partial batch is dropped, as a
 * compiled graph has a fixed batch size.
 */
export function datasetData(split: DatasetSplit, options: DatasetDataOptions): TrainerData {
  const train = datasetFields(split.train);
  const held = split[options.evaluate ?? 'test'];
  const heldFields = held === undefined ? undefined : datasetFields(held);
  return {
    train: (rng) => minibatches(train, { batchSize: options.batch, rng }),
    ...(heldFields === undefined ? {} : { test: () => minibatches(heldFields, { batchSize: options.batch }) }),
  };
}
