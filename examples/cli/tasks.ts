/** The tasks the CLI trains on, by name: MNIST (rate-coded real digits) and generated ones. */
import { delayedXor, evidenceAccumulation, loadMnist, mnistSplit, sequentialMnist, type TaskInfo, type TaskSplit } from '@spikeflow/models';
import { UsageError } from './usage-error.js';

const TASKS: Readonly<Record<string, () => Promise<TaskSplit>>> = {
  mnist: async () => {
    const split = mnistSplit(await loadMnist());
    const encode = (data: typeof split.train) => sequentialMnist(data, { encoding: 'rate', steps: 8 });
    return { train: encode(split.train), test: encode(split.test) };
  },
  evidence: async () => ({ train: evidenceAccumulation() }),
  'delayed-xor': async () => ({ train: delayedXor() }),
};

export const TASK_NAMES = Object.keys(TASKS);

export async function loadTask(name: string): Promise<TaskSplit & { readonly info: TaskInfo }> {
  const load = TASKS[name];
  if (load === undefined) throw new UsageError(`unknown task '${name}' (tasks: ${TASK_NAMES.join(', ')}; or a config .json file)`);
  const split = await load();
  return { ...split, info: split.train.info };
}
