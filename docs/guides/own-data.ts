// The code of docs/guides/use-your-own-data.md: the guide shows this file's region verbatim,
// and docs/guide.test.ts checks that it does and runs it.
// #region guide
import type { TrainBackend } from '@spikeflow/core';
import { adam, classifierModel, dataFileTasks, defaultClassifierSpec, taskData, Trainer, type EpochMetrics } from '@spikeflow/models';

/**
 * An event table as a recording system would write it: one row per spike, `sample,label,t,channel`.
 * Class 0 fires mostly on channels 0-3, class 1 on channels 4-7; every sample also has noise
 * spikes anywhere. (A fixed generator, so the file is the same every time.)
 */
export function eventTableCsv(samples = 80): string {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rows = ['sample,label,t,channel'];
  for (let sample = 0; sample < samples; sample++) {
    const label = sample % 2;
    for (let k = 0; k < 40; k++) {
      const noise = random() < 0.25;
      const channel = noise ? Math.floor(random() * 8) : 4 * label + Math.floor(random() * 4);
      rows.push(`${sample},${label},${(random() * 100).toFixed(2)},${channel}`);
    }
  }
  return `${rows.join('\n')}\n`;
}

/** Trains the default classifier on a data file's bytes, as `spikeflow train --data FILE` does. */
export async function trainOnFile(bytes: Uint8Array, name: string, backend: TrainBackend): Promise<EpochMetrics[]> {
  // Each sample's events are cut into 16 time bins; a fifth of the samples is held out.
  const split = dataFileTasks(bytes, name);
  const info = split.train.info;
  const batch = 16;
  const trainer = await Trainer.create({
    backend,
    model: classifierModel(defaultClassifierSpec(info), info, batch),
    optimizer: adam(),
    schedule: 0.01,
    data: taskData(split, { batch, trainBatches: 8, testBatches: 2 }),
    accuracy: { scores: 'scores', labels: 'labels' },
    seed: 1,
  });
  try {
    return await trainer.runEpochs(3);
  } finally {
    trainer.destroy();
  }
}
// #endregion guide
