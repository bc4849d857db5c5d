import { fail } from '@spikeflow/core';
import type { TaskSplit } from '../task-data.js';
import { BatchWriter } from '../tasks/batch-writer.js';
import { checkInt } from '../tasks/options.js';
import { defineTask, type Task, type TaskInfo } from '../tasks/task.js';
import { featureSize, majorityFraction, sampleCount, sampleShape, type LabelledDataset } from './dataset.js';
import type { DatasetSplit } from './split.js';

export interface DatasetTaskOptions {
  /**
   * For static samples [N, F]: the steps over which each value is held (direct input coding: the
   * first layer's neurons turn the values into spikes). Ignored for sequences, which keep their T.
   */
  readonly steps?: number;
}

/**
 * A data set as a classification `Task` whose episodes are sample indices, drawn uniformly with
 * replacement; so everything written for tasks (taskData, the CLI, classifierModel) trains on a
 * user's data. x is [T, B, F] with a sample's features flattened; every step is scored.
 */
export function datasetTask(d: LabelledDataset, options: DatasetTaskOptions = {}): Task<number> {
  const steps = d.sequence ? sampleShape(d)[0]! : (options.steps ?? 1);
  checkInt('steps', steps, 1);
  const features = featureSize(d);
  const n = sampleCount(d);
  const info: TaskInfo = {
    name: d.name,
    steps,
    inputSize: features,
    target: 'class',
    outputSize: d.classes,
    chance: { metric: 'accuracy', value: majorityFraction(d), why: 'always answering the most frequent class of these samples' },
  };
  // Floats per sample; a static sample is the same `features` values at every step.
  const stride = d.sequence ? steps * features : features;
  return defineTask(info, (rng) => rng.int(n), (indices) => {
    const w = new BatchWriter(info, indices.length, { labels: true });
    indices.forEach((index, b) => {
      if (!Number.isInteger(index) || index < 0 || index >= n) fail('feed', `${d.name}: indices[${b}]`, 'not a sample of the data set', `an integer in [0, ${n})`, String(index));
      const sample = d.x.data.subarray(index * stride, (index + 1) * stride);
      for (let t = 0; t < steps; t++) w.x.set(d.sequence ? sample.subarray(t * features, (t + 1) * features) : sample, w.at(t, b, 0));
      const label = d.labels.data[index]!;
      w.answerClass(0, steps, b, label);
      w.label(b, label);
    });
    return w.finish();
  });
}

/** A split as tasks: train, and test when there is one (else the trainer holds out other draws of train). */
export function datasetTaskSplit(split: DatasetSplit, options: DatasetTaskOptions = {}): TaskSplit {
  return { train: datasetTask(split.train, options), ...(split.test === undefined ? {} : { test: datasetTask(split.test, options) }) };
}
