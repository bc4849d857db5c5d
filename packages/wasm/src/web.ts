// The Web edge of @spikeflow/wasm: pool workers as Web Workers (browsers, Deno), from a Blob URL
// around the job loop, so no separate worker file has to be served. Shared memory needs a
// cross-origin-isolated page in a browser.
import type { KernelWorker, SpawnKernelWorker } from './threads/pool.js';
import { WORKER_LOOP_SOURCE, type WorkerInit } from './threads/protocol.js';
import { WasmKernels, type WasmKernelsOptions } from './runtime.js';
import type { TrainBackend } from '@spikeflow/core';
import type { WasmExecutableOptions } from './runtime/executable.js';
import { wasmBackend } from './runtime/train-backend.js';
import { servePageBackend } from './page-backend-worker.js';
import type { MessageEndpoint } from './page-protocol.js';

export { connectPageBackend, pageWasmBackend, pageWasmThreads, type PageBackend, type PageWasmBackendOptions } from './page-backend.js';
export { servePageBackend } from './page-backend-worker.js';
export type { MessageEndpoint } from './page-protocol.js';

const WEB_WORKER_SOURCE = `self.onmessage = (event) => {
  self.onmessage = null;
  (${WORKER_LOOP_SOURCE})(event.data, () => self.postMessage('ready'));
};`;

/** Starts a pool worker as a module Web Worker; the init (module, shared memory, control block) goes by postMessage. */
export const spawnWebWorker: SpawnKernelWorker = (init: WorkerInit, onDeath: (reason: string) => void) =>
  new Promise<KernelWorker>((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(url, { type: 'module' });
    worker.onerror = (event) => {
      event.preventDefault();
      URL.revokeObjectURL(url);
      worker.terminate();
      reject(new Error(`worker thread ${init.thread}: ${event.message}`));
    };
    worker.onmessage = () => {
      URL.revokeObjectURL(url);
      worker.onmessage = null;
      // A Web Worker has no exit event: an uncaught error is the death the page can see.
      worker.onerror = (event) => {
        event.preventDefault();
        worker.terminate();
        onDeath(`worker thread ${init.thread} failed: ${event.message}`);
      };
      resolve({ terminate: () => worker.terminate() });
    };
    worker.postMessage(init);
  });

/** The kernels on Web Workers; `threads` defaults to `navigator.hardwareConcurrency` (or 1). */
export function createWebKernels(options: Omit<WasmKernelsOptions, 'spawn'> = {}): Promise<WasmKernels> {
  return WasmKernels.create({ ...options, threads: options.threads ?? availableCores(), spawn: spawnWebWorker });
}

/** `navigator.hardwareConcurrency`, or 1 where there is none. */
function availableCores(): number {
  return typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
}

/**
 * The WebAssembly training backend on Web Workers; `threads` defaults to
 * `navigator.hardwareConcurrency`. Kernels block in Atomics.wait, so in a browser run it from a
 * worker of a cross-origin-isolated page.
 */
export function webWasmBackend(options: Omit<WasmExecutableOptions, 'spawn' | 'seed'> = {}): TrainBackend {
  return wasmBackend({ ...options, threads: options.threads ?? availableCores(), spawn: spawnWebWorker });
}

/**
 * How long a kernel in the page's worker waits for its pool workers: a pool worker that died
 * mid-kernel then fails the call instead of hanging the page forever. The largest kernels of the
 * page's demos take well under a second; 120 s leaves room for a throttled background tab and a
 * slow machine without a false alarm.
 */
const POOL_WORKER_TIMEOUT_MS = 120_000;

/**
 * The body of the page backend's worker script (see `pageWasmBackend`): answers the page's calls
 * with `webWasmBackend` on the threads the page asks for (1 where the worker cannot share memory).
 */
export function servePageWasmBackend(scope: MessageEndpoint = globalThis as unknown as MessageEndpoint): void {
  servePageBackend(scope, (threads) => webWasmBackend({ threads, timeoutMs: POOL_WORKER_TIMEOUT_MS }));
}
