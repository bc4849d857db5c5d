import type { HostTensor } from '@spikeflow/core';
import { checkInt } from './options.js';
import { TaskRng } from './task-rng.js';

/**
 * One batch of a task, time-major like every sequence in spikeflow:
 * - `inputs.x`: [T, B, F] f32, the only input of every task (spikes, or values where stated).
 * - `targets`: [T, B] i32 class indices for a class task, [T, B, K] f32 for a value task. They
 *   mean something only where `mask` is 1 (elsewhere they are 0).
 * - `mask`: [T, B] f32, 1 at the steps whose outputs are scored (or pooled into one decision).
 * - `labels`: [B] i32, for class tasks with one answer per episode: that answer, so accuracy
 *   needs no mask. Absent where an episode has several answers (store-recall).
 */
export interface TaskBatch {
  readonly inputs: Readonly<Record<string, HostTensor>>;
  readonly targets: HostTensor;
  readonly mask: HostTensor;
  readonly labels?: HostTensor;
}

/**
 * The level a model reaches without the ability the task tests (memory, integration, the
 * within-episode association, ...), so that a learning curve can be read against it.
 * - `accuracy`: fraction of correct answers (per masked step, or per episode via `labels`).
 * - `mse`: mean squared error of the best constant prediction.
 * - `element-accuracy`: fraction of target elements whose sign is right.
 */
export interface Chance {
  readonly metric: 'accuracy' | 'mse' | 'element-accuracy';
  readonly value: number;
  readonly why: string;
}

export interface TaskInfo {
  readonly name: string;
  /** T. */
  readonly steps: number;
  /** F, the size of `inputs.x`'s last axis. */
  readonly inputSize: number;
  /** 'class': targets are i32 class indices; 'value': targets are f32 vectors of `outputSize`. */
  readonly target: 'class' | 'value';
  /** The number of classes, or the length of a target vector. */
  readonly outputSize: number;
  readonly chance: Chance;
}

/**
 * A task generator. An episode `E` is the task's latent description (the values, markers, cue
 * sides, ... of one sequence): `sample` draws one, and `encode` turns episodes into a batch, so
 * a test can write an episode by hand and check the target the definition gives it.
 */
export interface Task<E> {
  readonly info: TaskInfo;
  sample(rng: TaskRng): E;
  /** `rng` draws only the input spikes' noise; with rate-1 codes it is not used. */
  encode(episodes: readonly E[], rng?: TaskRng): TaskBatch;
  /** `batchSize` episodes, a pure function of `seed` (episodes and noise from separate streams). */
  batch(batchSize: number, seed: number): TaskBatch;
}

export function defineTask<E>(info: TaskInfo, sample: (rng: TaskRng) => E, encode: (episodes: readonly E[], rng: TaskRng) => TaskBatch): Task<E> {
  return {
    info,
    sample,
    encode: (episodes, rng = new TaskRng(0, 1)) => encode(episodes, rng),
    batch(batchSize, seed) {
      checkInt('batchSize', batchSize, 1);
      const episodes = new TaskRng(seed, 0);
      return encode(Array.from({ length: batchSize }, () => sample(episodes)), new TaskRng(seed, 1));
    },
  };
}
