import { fail } from '@spikeflow/core';
import { labelledDataset } from './dataset.js';
import type { NpyArray } from './npy.js';
import { npyToFloat32, npyToLabels } from './npy-values.js';
import { parseNpz } from './npz.js';
import type { DatasetSplit } from './split.js';

/**
 * The data file convention (an .npz, as `numpy.savez(path, x=..., y=...)` writes it):
 * - `x`: the training samples, [N, F, ...] for static samples or [N, T, F, ...] for sequences
 *   (rank 3 or more is read as a sequence with time on axis 1); any numeric dtype, read as f32.
 * - `y`: the labels [N], integer class indices from 0.
 * - `x_test`, `y_test` (optional, together): held-out samples of the same sample shape.
 * Any other key is refused, so a misspelt key is an error rather than ignored.
 */
export const DATA_KEYS = ['x', 'y', 'x_test', 'y_test'] as const;

export interface DataFileOptions {
  /** Keep NaN and infinities in x (default false: refused, naming the element). */
  readonly allowNonFinite?: boolean;
}

function member(arrays: ReadonlyMap<string, NpyArray>, key: string, name: string): NpyArray {
  const a = arrays.get(key);
  if (a === undefined) fail('feed', name, `no '${key}.npy' member`, `members ${DATA_KEYS.map((k) => `${k}.npy`).join(', ')} (x and y required)`, [...arrays.keys()].map((k) => `${k}.npy`).join(', ') || 'none');
  return a;
}

/** A labelled data set (and its test part, if the file has one) from an .npz's bytes; `name` names the file in errors. */
export function npzDataset(bytes: Uint8Array, name: string, options: DataFileOptions = {}): DatasetSplit {
  const arrays = parseNpz(bytes, name);
  for (const key of arrays.keys()) if (!(DATA_KEYS as readonly string[]).includes(key)) fail('feed', `${name}: ${key}.npy`, `unknown member '${key}'`, DATA_KEYS.join(', '), key);
  if (arrays.has('x_test') !== arrays.has('y_test')) fail('feed', name, 'x_test and y_test come together', 'both or neither', arrays.has('x_test') ? 'x_test alone' : 'y_test alone');
  const read = (xKey: string, yKey: string) => {
    const x = member(arrays, xKey, name);
    if (x.shape.length < 2) fail('shape', x.where, 'samples are [N, F, ...] or [N, T, F, ...]', 'rank >= 2', `(${x.shape.join(', ')})`);
    return { x: npyToFloat32(x, options), labels: npyToLabels(member(arrays, yKey, name)), sequence: x.shape.length >= 3 };
  };
  const train = read('x', 'y');
  const test = arrays.has('x_test') ? read('x_test', 'y_test') : undefined;
  if (test !== undefined && test.x.type.shape.slice(1).join() !== train.x.type.shape.slice(1).join()) {
    fail('shape', `${name}: x_test.npy`, 'test samples must have the shape of the training samples', `(N, ${train.x.type.shape.slice(1).join(', ')})`, `(${test.x.type.shape.join(', ')})`);
  }
  let classes = 0;
  for (const part of [train, test]) for (const l of part?.labels.data ?? []) classes = Math.max(classes, l + 1);
  const dataset = (part: typeof train, suffix: string) => labelledDataset(part.x, part.labels, { name: `${name}${suffix}`, classes, sequence: part.sequence, ...options });
  return { train: dataset(train, ''), ...(test === undefined ? {} : { test: dataset(test, ' (test)') }) };
}
