import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadMnist } from '@spikeflow/models';
import { bundleEntry } from '../../scripts/bundle-entry.js';
import { encodeMnist, MNIST_ASSET_PATH } from './mnist-asset.js';
import { NIR_MODULE_PATH } from './nir-module.js';
import { WASM_WORKER_PATH } from './wasm-worker.js';

export interface ServedPage {
  readonly url: string;
  /** Bytes of each route as built (before gzip), e.g. to report the bundle's size. */
  readonly sizes: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

interface Route {
  readonly type: string;
  readonly body: Uint8Array;
  readonly gzipped: Uint8Array;
}

const route = (type: string, body: Uint8Array): Route => ({ type, body, gzipped: gzipSync(body) });

/** The path a request asks for, or undefined for a target no URL parser takes (e.g. `//[`). */
function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/**
 * Cross-origin isolation: a page served with these may share memory between threads
 * (SharedArrayBuffer, Atomics.wait in workers), which the WebAssembly backend's thread pool needs.
 * Everything the page loads comes from this server, so requiring CORP of embedded resources costs nothing.
 */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } as const;

/** Every request gets an answer: 400 for a target that is not a URL, 405 for anything but GET or HEAD, 404 off the routes. */
function answer(routes: ReadonlyMap<string, Route>, request: IncomingMessage, response: ServerResponse): void {
  const path = requestPath(request.url);
  if (path === undefined) return void response.writeHead(400, { 'content-type': 'text/plain' }).end('bad request target\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405, { allow: 'GET, HEAD' }).end();
  const found = routes.get(path);
  if (!found) return void response.writeHead(404).end();
  const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  response.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store', ...ISOLATION_HEADERS, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
  response.end(request.method === 'HEAD' ? undefined : gzip ? found.gzipped : found.body);
}

/**
 * Bundles main.ts (~3.2 MB, most of it Vega for the plots: the page fetches the MNIST digits as a binary asset, see mnist-asset.ts,
 * so the `mnist` package's 21 MB of JSON stay out), the NIR module (~5 MB, loaded on first use) and
 * the WebAssembly backend's worker (its own module: a worker script cannot be a part of main.js),
 * and serves them with index.html from 127.0.0.1, a secure context as WebGPU requires. Port 0 picks a free one.
 */
export async function servePage(port = 0): Promise<ServedPage> {
  const [script, nirScript, wasmWorkerScript, html, digits] = await Promise.all([
    bundleEntry(new URL('./main.ts', import.meta.url).href),
    bundleEntry(new URL('./nir-entry.ts', import.meta.url).href),
    bundleEntry(new URL('./wasm-worker-entry.ts', import.meta.url).href),
    readFile(fileURLToPath(new URL('./index.html', import.meta.url))),
    loadMnist(),
  ]);
  const text = new TextEncoder();
  const routes: ReadonlyMap<string, Route> = new Map([
    ['/', route('text/html; charset=utf-8', html)],
    ['/main.js', route('text/javascript; charset=utf-8', text.encode(script))],
    [NIR_MODULE_PATH, route('text/javascript; charset=utf-8', text.encode(nirScript))],
    [WASM_WORKER_PATH, route('text/javascript; charset=utf-8', text.encode(wasmWorkerScript))],
    [MNIST_ASSET_PATH, route('application/octet-stream', encodeMnist(digits))],
  ]);
  const server = createServer((request, response) => {
    try {
      answer(routes, request, response);
    } catch {
      // A bug must cost one request, not the server.
      if (!response.headersSent) response.writeHead(500);
      response.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    sizes: Object.fromEntries([...routes].map(([path, r]) => [path, r.body.length])),
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
