/**
 * A task generator as trainer data: each epoch draws `trainBatches` fresh batches whose seeds come
 * from the trainer's generator (so a checkpoint restores the data order), and the held-out set is
 * a fixed list of seeds disjoint from any the generator gives.
 */
import type { HostTensor } from '@spikeflow/core';
import type { Task, TaskBatch } from './tasks/task.js';
import type { TrainerData } from './trainer/trainer.js';

export interface TaskSplit {
  readonly train: Task<unknown>;
  /** Held-out episodes (e.g. MNIST test digits); the train task with other seeds by default. */
  readonly test?: Task<unknown>;
}

export interface TaskDataOptions {
  readonly batch: number;
  readonly trainBatches: number;
  readonly testBatches: number;
  /** Called as each training batch is taken (1-based), e.g. for a progress bar. */
  readonly onBatch?: (taken: number, total: number) => void;
}

/** Held-out seeds sit above any train seed (train seeds are < 2^31). */
const TEST_SEED_BASE = 2 ** 31;

const fields = (b: TaskBatch) => ({ x: b.inputs.x!, labels: b.labels! });

/** A classification task's batches as `{ x, labels }`, the inputs of `classifierModel`. */
export function taskData(split: TaskSplit, o: TaskDataOptions): TrainerData {
  const test = split.test ?? split.train;
  return {
    // Lazy, so onBatch fires as the trainer takes each batch; the generator is drawn in the same order.
    *train(rng) {
      for (let k = 1; k <= o.trainBatches; k++) {
        o.onBatch?.(k, o.trainBatches);
        yield fields(split.train.batch(o.batch, Math.floor(rng.next() * TEST_SEED_BASE)));
      }
    },
    test: () => Array.from({ length: o.testBatches }, (_, k) => fields(test.batch(o.batch, TEST_SEED_BASE + k))),
  };
}

/** The first held-out episode alone, x [T, 1, F] (e.g. for a spike raster). */
export function heldOutEpisode(split: TaskSplit): HostTensor {
  return (split.test ?? split.train).batch(1, TEST_SEED_BASE).inputs.x!;
}
