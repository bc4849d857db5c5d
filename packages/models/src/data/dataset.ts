import { fail, formatShape, sizeOf, type HostTensor } from '@spikeflow/core';
import { classCounts } from '../tasks/mnist-data.js';
import { takeSamples } from '../trainer/batches.js';
import { coordinatesOf, firstNonFinite } from '../trainer/finite.js';

/**
 * A labelled data set held in host memory: N samples of one shape, each with a class label.
 * Samples are sample-major, x [N, ...sample]; when `sequence` is set each sample's axis 0 is time
 * ([N, T, ...]), and the batches given to a model are time-major [T, B, ...] like every sequence
 * in spikeflow.
 */
export interface LabelledDataset {
  /** Names the data in errors and task names (e.g. the file it came from). */
  readonly name: string;
  /** [N, ...sample], f32. */
  readonly x: HostTensor;
  /** [N], i32 class indices in [0, classes). */
  readonly labels: HostTensor;
  readonly classes: number;
  readonly sequence: boolean;
}

export interface DatasetOptions {
  readonly name: string;
  /** The number of classes (default: the largest label + 1). */
  readonly classes?: number;
  /** Each sample's axis 0 is time (default: false). */
  readonly sequence?: boolean;
  /** Keep NaN and infinities in x (default false: refused, naming the element). */
  readonly allowNonFinite?: boolean;
}

/** Checks and bundles x and labels: matching N, labels in range, x finite f32. */
export function labelledDataset(x: HostTensor, labels: HostTensor, options: DatasetOptions): LabelledDataset {
  const { name, sequence = false } = options;
  if (x.type.dtype !== 'f32') fail('dtype', `${name}: x`, 'samples must be f32', 'f32', x.type.dtype);
  if (x.type.shape.length < (sequence ? 3 : 2)) fail('shape', `${name}: x`, sequence ? 'sequence samples are [N, T, F, ...]' : 'samples are [N, F, ...]', sequence ? '[N, T, F, ...]' : '[N, F, ...]', formatShape(x.type.shape));
  if (labels.type.dtype !== 'i32' || labels.type.shape.length !== 1) fail('shape', `${name}: labels`, 'labels are i32 [N]', 'i32[N]', `${labels.type.dtype}${formatShape(labels.type.shape)}`);
  const n = x.type.shape[0]!;
  if (labels.type.shape[0] !== n) fail('shape', `${name}: labels`, `x holds ${n} samples and the labels ${labels.type.shape[0]}`, String(n), String(labels.type.shape[0]));
  if (n < 1) fail('shape', `${name}: x`, 'a data set needs at least one sample', '>= 1 sample', '0');
  let largest = 0;
  for (const l of labels.data) largest = Math.max(largest, l);
  const classes = options.classes ?? largest + 1;
  if (!Number.isSafeInteger(classes) || classes < 2) fail('attr', `${name}: classes`, 'a classifier needs at least 2 classes', 'an integer >= 2', String(classes));
  labels.data.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= classes) fail('feed', `${name}: labels`, `label ${i} is ${l}`, `a class in [0, ${classes})`, String(l));
  });
  const bad = firstNonFinite(x.data);
  if (bad >= 0 && options.allowNonFinite !== true) fail('nan', `${name}: x`, `element ${coordinatesOf(x.type.shape, bad)} is ${x.data[bad]}`, 'finite values', String(x.data[bad]));
  return { name, x, labels, classes, sequence };
}

/** N. */
export const sampleCount = (d: LabelledDataset): number => d.x.type.shape[0]!;

/** One sample's shape ([T, ...] for a sequence). */
export const sampleShape = (d: LabelledDataset): readonly number[] => d.x.type.shape.slice(1);

/** The features per step: the product of a sample's shape without its time axis. */
export const featureSize = (d: LabelledDataset): number => sizeOf(sampleShape(d).slice(d.sequence ? 1 : 0));

/** The samples at `indices`, in that order. */
export function subset(d: LabelledDataset, indices: readonly number[], name = d.name): LabelledDataset {
  return { ...d, name, x: takeSamples(d.x, 0, indices), labels: takeSamples(d.labels, 0, indices) };
}

/** The fraction of the most frequent class: the accuracy of always answering it. */
export function majorityFraction(d: LabelledDataset): number {
  return Math.max(...classCounts(d.labels.data, d.classes)) / sampleCount(d);
}
