/**
 * A user's data file as a CLI task (see `dataFileTasks` in @spikeflow/models and docs/data.md):
 * read from disk here, parsed by the models loaders. Its path is the run's task, so eval and
 * --resume read it again.
 */
import { readFile } from 'node:fs/promises';
import { SpikeflowError } from '@spikeflow/core';
import { dataFileTasks, isDataFileName, type TaskSplit } from '@spikeflow/models';
import { UsageError } from './usage-error.js';

export const isDataFile = isDataFileName;

export async function loadDataFile(name: string): Promise<TaskSplit> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(name));
  } catch {
    throw new UsageError(`cannot read data file ${name}`);
  }
  try {
    return dataFileTasks(bytes, name);
  } catch (error) {
    if (error instanceof SpikeflowError) throw new UsageError(`${name}: ${error.message}`);
    throw error;
  }
}
