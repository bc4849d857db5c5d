/**
 * The tasks the CLI trains on, by name: MNIST (rate-coded real digits) and generated ones, and
 * the default model of each: a task whose answer needs memory gets a recurrent one.
 */
import {
  defaultClassifierSpec,
  delayedXor,
  evidenceAccumulation,
  loadMnist,
  mnistSplit,
  recurrentClassifierSpec,
  sequentialMnist,
  type SequentialSpec,
  type TaskInfo,
  type TaskSplit,
} from '@spikeflow/models';
import { isDataFile, loadDataFile } from './data-file.js';
import { UsageError } from './usage-error.js';

/**
 * What a task's answer needs of a model. `memory`: the answer is a nonlinear function of inputs
 * shown at different times (delayed XOR: a XOR b, the bits apart in time), which the time-summed
 * scores of a feed-forward model cannot compute; it needs state that holds the first input.
 * `none`: the per-step evidence, summed over time by the readout, decides it (the digit of a
 * rate-coded image, the side with more cues), so a feed-forward model learns it.
 */
export type TaskNeeds = 'memory' | 'none';

interface CliTask {
  readonly load: () => Promise<TaskSplit>;
  readonly needs: TaskNeeds;
}

/** A Map, so a typed name such as `constructor` or `__proto__` is just an unknown task. */
const TASKS: ReadonlyMap<string, CliTask> = new Map<string, CliTask>([
  [
    'mnist',
    {
      needs: 'none',
      load: async () => {
        const split = mnistSplit(await loadMnist());
        const encode = (data: typeof split.train) => sequentialMnist(data, { encoding: 'rate', steps: 8 });
        return { train: encode(split.train), test: encode(split.test) };
      },
    },
  ],
  ['evidence', { needs: 'none', load: async () => ({ train: evidenceAccumulation() }) }],
  ['delayed-xor', { needs: 'memory', load: async () => ({ train: delayedXor() }) }],
]);

export const TASK_NAMES = [...TASKS.keys()];

/** What the task `name` needs of a model; a data file is taken as needing none (give a model in a config if it does). */
export function taskNeeds(name: string): TaskNeeds {
  return TASKS.get(name)?.needs ?? 'none';
}

/** The model a run of task `name` trains when its config gives none: recurrent where the task needs memory. */
export function defaultModelSpec(name: string, info: TaskInfo): SequentialSpec {
  return taskNeeds(name) === 'memory' ? recurrentClassifierSpec(info) : defaultClassifierSpec(info);
}

export type LoadedTask = TaskSplit & { readonly info: TaskInfo };

export async function loadTask(name: string): Promise<LoadedTask> {
  const load = isDataFile(name) ? () => loadDataFile(name) : TASKS.get(name)?.load;
  if (load === undefined) throw new UsageError(`unknown task '${name}' (tasks: ${TASK_NAMES.join(', ')}; or a config .json file)`);
  const split = await load();
  return { ...split, info: split.train.info };
}
