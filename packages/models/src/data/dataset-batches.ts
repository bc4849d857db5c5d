import { sizeOf, type HostTensor } from '@spikeflow/core';
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

/** The same row-major data with every axis after the first `keep` merged into one. */
function flattened(x: HostTensor, keep: number): HostTensor {
  const shape = x.type.shape;
  return { ...x, type: { ...x.type, shape: [...shape.slice(0, keep), sizeOf(shape.slice(keep))] } };
}

/**
 * A data set's fields as `minibatches` takes them: `x` (a sequence data set turned time-major
 * once, so its batches are [T, B, ...]) and `labels` [B], the inputs of `classifierModel`. With
 * `flatten` each step's features are one axis: batches [T, B, F] or [B, F].
 */
export function datasetFields(d: LabelledDataset, flatten = true): { x: BatchField; labels: HostTensor } {
  const x = d.sequence ? timeMajor(d.x) : d.x;
  const tensor = flatten ? flattened(x, d.sequence ? 2 : 1) : x;
  return { x: { tensor, axis: d.sequence ? 1 : 0 }, labels: d.labels };
}

export interface DatasetDataOptions {
  readonly batch: number;
  /** Merge each step's feature axes into one, as `classifierModel` takes them (default true). */
  readonly flatten?: boolean;
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
  const train = datasetFields(split.train, options.flatten);
  const held = split[options.evaluate ?? 'test'];
  const heldFields = held === undefined ? undefined : datasetFields(held, options.flatten);
  return {
    train: (rng) => minibatches(train, { batchSize: options.batch, rng }),
    ...(heldFields === undefined ? {} : { test: () => minibatches(heldFields, { batchSize: options.batch }) }),
  };
}
