/** The tasks the CLI trains on, by name: MNIST (rate-coded real digits) and generated ones. */
import { delayedXor, evidenceAccumulation, loadMnist, mnistSplit, sequentialMnist, type TaskInfo, type TaskSplit } from '@spikeflow/models';
import { isDataFile, loadDataFile } from './data-file.js';
import { UsageError } from './usage-error.js';

/** A Map, so a typed name such as `constructor` or `__proto__` is just an unknown task. */
const TASKS: ReadonlyMap<string, () => Promise<TaskSplit>> = new Map<string, () => Promise<TaskSplit>>([
  [
    'mnist',
    async () => {
      const split = mnistSplit(await loadMnist());
      const encode = (data: typeof split.train) => sequentialMnist(data, { encoding: 'rate', steps: 8 });
      return { train: encode(split.train), test: encode(split.test) };
    },
  ],
  ['evidence', async () => ({ train: evidenceAccumulation() })],
  ['delayed-xor', async () => ({ train: delayedXor() })],
]);

export const TASK_NAMES = [...TASKS.keys()];

export type LoadedTask = TaskSplit & { readonly info: TaskInfo };

export async function loadTask(name: string): Promise<LoadedTask> {
  const load = isDataFile(name) ? () => loadDataFile(name) : TASKS.get(name);
  if (load === undefined) throw new UsageError(`unknown task '${name}' (tasks: ${TASK_NAMES.join(', ')}; or a config .json file)`);
  const split = await load();
  return { ...split, info: split.train.info };
}
