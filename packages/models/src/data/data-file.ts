import { fail } from '@spikeflow/core';
import type { TaskSplit } from '../task-data.js';
import { datasetTaskSplit } from './dataset-task.js';
import { eventDataset } from './event-frames.js';
import { parseEventText } from './event-table.js';
import { npzDataset } from './npz-dataset.js';
import { splitDataset, type DatasetSplit } from './split.js';

/**
 * A user's data file as classification tasks, by its name's extension, with the defaults the CLI
 * and the browser page share: an .npz by the data convention (static samples held for 8 steps),
 * or an event table (.csv/.tsv with sample and label columns) cut into 16 bins per sample.
 * Without a test part, a fifth of the samples (by a fixed shuffle) is held out.
 */
export const DATA_FILE_DEFAULTS = { staticSteps: 8, eventBins: 16, heldOut: 0.2 } as const;

export function isDataFileName(name: string): boolean {
  return /\.(npz|csv|tsv)$/i.test(name);
}

function parse(bytes: Uint8Array, name: string): DatasetSplit {
  if (/\.npz$/i.test(name)) return npzDataset(bytes, name);
  if (!/\.(csv|tsv)$/i.test(name)) fail('feed', name, 'unknown data file type', '.npz, .csv or .tsv', name);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('feed', name, 'an event table must be UTF-8 text');
  }
  return { train: eventDataset(parseEventText(text, name), { binning: { bins: DATA_FILE_DEFAULTS.eventBins } }) };
}

/** The file's bytes (read by the caller) as a train/test task split. */
export function dataFileTasks(bytes: Uint8Array, name: string): TaskSplit {
  const split = parse(bytes, name);
  const held = split.test === undefined ? splitDataset(split.train, { test: DATA_FILE_DEFAULTS.heldOut, seed: 0 }) : split;
  return datasetTaskSplit(held, { steps: DATA_FILE_DEFAULTS.staticSteps });
}
