/**
 * A user's data file as a CLI task: an .npz (keys x, y, optional x_test, y_test) or an event
 * table (.csv/.tsv with columns sample, label, t and x, y, p or channel), read from disk here and
 * parsed by @spikeflow/models. Its path is the run's task, so eval and --resume read it again.
 */
import { readFile } from 'node:fs/promises';
import { SpikeflowError } from '@spikeflow/core';
import { datasetTaskSplit, eventDataset, npzDataset, parseEventText, splitDataset, type DatasetSplit, type TaskSplit } from '@spikeflow/models';
import { UsageError } from './usage-error.js';

/** Static samples [N, F] are held for this many steps (the first layer's neurons make the spikes). */
const STATIC_STEPS = 8;
/** An event table's samples are each cut into this many time bins. */
const EVENT_BINS = 16;
/** Without x_test, this fraction of the samples (by a fixed shuffle) is held out. */
const HELD_OUT = 0.2;

export function isDataFile(name: string): boolean {
  return /\.(npz|csv|tsv)$/i.test(name);
}

function parse(bytes: Uint8Array, name: string): DatasetSplit {
  if (/\.npz$/i.test(name)) return npzDataset(bytes, name);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  return { train: eventDataset(parseEventText(text, name), { binning: { bins: EVENT_BINS } }) };
}

export async function loadDataFile(name: string): Promise<TaskSplit> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(name));
  } catch {
    throw new UsageError(`cannot read data file ${name}`);
  }
  try {
    const split = parse(bytes, name);
    const held = split.test === undefined ? splitDataset(split.train, { test: HELD_OUT, seed: 0 }) : split;
    return datasetTaskSplit(held, { steps: STATIC_STEPS });
  } catch (error) {
    if (error instanceof SpikeflowError || error instanceof TypeError) throw new UsageError(`${name}: ${error.message.split('\n')[0]}`);
    throw error;
  }
}
