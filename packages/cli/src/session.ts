/** A run's trainer, built from its config on the backend chosen for this machine (saying which and why): shared by train and eval. */
import type { SpikeflowError, TrainBackend } from '@spikeflow/core';
import { adam, taskData, Trainer, type TaskInfo, type TaskSplit, type TrainerData } from '@spikeflow/models';
import { describeChoice, type CompileProgressCallback } from '@spikeflow/webgpu';
import { chooseBackend, type BackendRequest } from './backend-choice.js';
import { configuredModel, firstLine, type RunConfig } from './run-config.js';
import { loadTask, type LoadedTask } from './tasks.js';

export interface Session {
  readonly trainer: Trainer;
  readonly info: TaskInfo;
  readonly device: string;
  readonly data: TrainerData;
  readonly split: TaskSplit;
  /** The error that says the GPU device was lost, once it is (never on the CPU). */
  lostError(): SpikeflowError | undefined;
}

interface SessionBackend {
  readonly engine: TrainBackend;
  readonly device: string;
  lostError(): SpikeflowError | undefined;
}

async function backend(request: BackendRequest, onCompileProgress: CompileProgressCallback | undefined): Promise<SessionBackend> {
  const chosen = await chooseBackend(request, { onCompileProgress });
  process.stderr.write(`${describeChoice(chosen)}\n`);
  switch (chosen.kind) {
    // The whole context, not just its device: reads then fail with "device was lost" instead of hanging or an empty DOMException.
    case 'webgpu':
      return { engine: chosen.backend, device: `webgpu (${chosen.ctx.adapterInfo})`, lostError: () => chosen.ctx.lostError() };
    case 'wasm':
      return { engine: chosen.backend, device: `wasm (${chosen.threads} threads)`, lostError: () => undefined };
    case 'cpu':
      return { engine: chosen.backend, device: 'cpu', lostError: () => undefined };
  }
}

export interface SessionOptions {
  /** Called as each training batch is taken (1-based). */
  readonly onBatch?: (taken: number, total: number) => void;
  /** The run's task, if the caller has loaded it already. */
  readonly task?: LoadedTask;
  /** Hears the compiling of the step's (and later the evaluation's) kernels, on WebGPU. */
  readonly onCompileProgress?: CompileProgressCallback;
  /** The backend asked for (`--backend`, `SPIKEFLOW_BACKEND`); auto by default. */
  readonly backend?: BackendRequest;
}

export async function openSession(config: RunConfig, options: SessionOptions = {}): Promise<Session> {
  const { onBatch, onCompileProgress } = options;
  const task = options.task ?? (await loadTask(config.task));
  const model = configuredModel(config, task.info);
  const { engine, device, lostError } = await backend(options.backend ?? { prefer: 'auto', source: 'auto' }, onCompileProgress);
  const data = taskData(task, { ...config, ...(onBatch === undefined ? {} : { onBatch }) });
  const trainer = await Trainer.create({
    backend: engine,
    model,
    optimizer: adam(),
    data,
    schedule: config.lr,
    epochs: config.epochs,
    seed: config.seed,
    accuracy: { scores: 'scores', labels: 'labels' },
  });
  return { trainer, info: task.info, device, data, split: task, lostError };
}
