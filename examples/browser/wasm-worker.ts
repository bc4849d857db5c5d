/** Where the page server serves wasm-worker-entry.ts's bundle, the WebAssembly backend's worker. */
export const WASM_WORKER_PATH = '/wasm-worker.js';
