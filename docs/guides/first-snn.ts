// The code of docs/guides/train-your-first-snn.md: the guide shows this file's region verbatim,
// and docs/guide.test.ts checks that it does and runs it.
// #region guide
import type { TrainBackend } from '@spikeflow/core';
import { adam, classifierModel, defaultClassifierSpec, evidenceAccumulation, taskData, Trainer, type EpochMetrics } from '@spikeflow/models';

/**
 * Evidence accumulation (Morcos & Harvey 2016): cues arrive on the left or the right over 56
 * steps; the answer is the side that had more. Chance is 1/2.
 */
export async function trainFirstSnn(backend: TrainBackend, onEpoch?: (m: EpochMetrics) => void): Promise<EpochMetrics[]> {
  const task = evidenceAccumulation();
  const batch = 16;
  // One hidden layer of 64 LIF neurons and a leaky-integrator readout, scored by cross-entropy.
  const model = classifierModel(defaultClassifierSpec(task.info), task.info, batch);
  const trainer = await Trainer.create({
    backend,
    model,
    optimizer: adam(),
    schedule: 0.01, // the learning rate
    data: taskData({ train: task }, { batch, trainBatches: 8, testBatches: 2 }),
    accuracy: { scores: 'scores', labels: 'labels' },
    seed: 1,
    onMetric: (m) => onEpoch?.(m),
  });
  try {
    return await trainer.runEpochs(3);
  } finally {
    trainer.destroy();
  }
}
// #endregion guide
