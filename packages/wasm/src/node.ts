// The Node edge of @spikeflow/wasm: worker threads (node:worker_threads) for the thread pool.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KernelWorker, SpawnKernelWorker } from './threads/pool.js';
import { WORKER_LOOP_SOURCE, type WorkerInit } from './threads/protocol.js';
import { WasmKernels, type WasmKernelsOptions } from './runtime.js';
import type { TrainBackend } from '@spikeflow/core';
import type { WasmExecutableOptions } from './runtime/executable.js';
import { wasmBackend } from './runtime/train-backend.js';

// An `eval` worker runs as a CommonJS script, so it has `require`.
const NODE_WORKER_SOURCE = `const { parentPort, workerData } = require('node:worker_threads');
(${WORKER_LOOP_SOURCE})(workerData, () => parentPort.postMessage('ready'));`;

/** Starts a pool worker as a Node worker thread. */
export const spawnNodeWorker: SpawnKernelWorker = (init: WorkerInit, onDeath: (reason: string) => void) =>
  new Promise<KernelWorker>((resolve, reject) => {
    const worker = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: init });
    const onError = (error: Error) => {
      void worker.terminate();
      reject(new Error(`worker thread ${init.thread}: ${error.message}`));
    };
    const onExit = (code: number) => reject(new Error(`worker thread ${init.thread} exited with code ${code} before it was ready`));
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.once('message', () => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      // From now on a death breaks the pool; an 'error' is followed by 'exit', which reports it.
      let failure = '';
      worker.on('error', (error: Error) => (failure = `: ${error.message}`));
      worker.once('exit', (code: number) => onDeath(`worker thread ${init.thread} exited (code ${code})${failure}`));
      // A parked worker must not keep the process alive.
      worker.unref();
      resolve({ terminate: () => worker.terminate() });
    });
  });

/** The kernels on Node worker threads; `threads` defaults to the machine's available cores. */
export function createNodeKernels(options: Omit<WasmKernelsOptions, 'spawn'> = {}): Promise<WasmKernels> {
  return WasmKernels.create({ ...options, threads: options.threads ?? availableParallelism(), spawn: spawnNodeWorker });
}

/** The WebAssembly training backend on Node worker threads; `threads` defaults to the machine's available cores. */
export function nodeWasmBackend(options: Omit<WasmExecutableOptions, 'spawn' | 'seed'> = {}): TrainBackend {
  return wasmBackend({ ...options, threads: options.threads ?? availableParallelism(), spawn: spawnNodeWorker });
}
