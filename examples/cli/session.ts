/** A run's trainer, built from its config on WebGPU (or the CPU, saying why): shared by train and eval. */
import { cpuBackend, type TrainBackend } from '@spikeflow/core';
import { adam, taskData, Trainer, type TaskInfo, type TaskSplit, type TrainerData } from '@spikeflow/models';
import { webgpuBackend } from '@spikeflow/webgpu';
import { selectNodeBackend } from '@spikeflow/webgpu/node';
import { configuredModel, firstLine, type RunConfig } from './run-config.js';
import { loadTask } from './tasks.js';

export interface Session {
  readonly trainer: Trainer;
  readonly info: TaskInfo;
  readonly device: string;
  readonly data: TrainerData;
  readonly split: TaskSplit;
}

async function backend(): Promise<{ engine: TrainBackend; device: string }> {
  const selected = await selectNodeBackend();
  if (selected.kind === 'webgpu') return { engine: webgpuBackend(selected.ctx.device), device: `webgpu (${selected.ctx.adapterInfo})` };
  console.error(`no WebGPU adapter, training on the CPU interpreter: ${firstLine(new Error(selected.reason))}`);
  return { engine: cpuBackend(), device: 'cpu' };
}

export async function openSession(config: RunConfig, onBatch?: (taken: number, total: number) => void): Promise<Session> {
  const task = await loadTask(config.task);
  const model = configuredModel(config, task.info);
  const { engine, device } = await backend();
  const data = taskData(task, { ...config, ...(onBatch === undefined ? {} : { onBatch }) });
  const trainer = await Trainer.create({
    backend: engine,
    model,
    optimizer: adam(),
    data,
    schedule: config.lr,
    seed: config.seed,
    accuracy: { scores: 'scores', labels: 'labels' },
  });
  return { trainer, info: task.info, device, data, split: task };
}
