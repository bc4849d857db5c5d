// The page's WebAssembly backend worker as a module of its own (/wasm-worker.js): the page's main
// thread may not block in Atomics.wait, so the backend runs here and the page calls it by message.
import { servePageWasmBackend } from '@spikeflow/wasm/web';

servePageWasmBackend();
