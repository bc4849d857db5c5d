import { pageWasmBackend, pageWasmThreads, type PageBackend } from '@spikeflow/wasm/web';
import type { WasmOffer } from '@spikeflow/webgpu';
import { WASM_WORKER_PATH } from './wasm-worker.js';

/** The WebAssembly backend as the page offers it to chooseTrainBackend: in a worker, on every core if the page is cross-origin isolated. */
export function pageWasmOffer(): WasmOffer {
  const { threads, limitation } = pageWasmThreads();
  const create = (): Promise<PageBackend> => pageWasmBackend({ workerUrl: new URL(WASM_WORKER_PATH, location.href), threads });
  return { create, threads, ...(limitation === undefined ? {} : { limitation }) };
}
