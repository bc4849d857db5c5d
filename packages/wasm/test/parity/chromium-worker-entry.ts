// The page backend's worker of the parity page: the WebAssembly backend on Web Workers, answering the page.
import { servePageWasmBackend } from '../../src/web.js';

servePageWasmBackend();
