import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadMnist } from '@spikeflow/models';
import { bundleEntry } from '../../scripts/bundle-entry.js';
import { encodeMnist, MNIST_ASSET_PATH } from './mnist-asset.js';

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

/**
 * Bundles main.ts (~1 MB: the page fetches the MNIST digits as a binary asset, see mnist-asset.ts,
 * so the `mnist` package's 21 MB of JSON stay out) and serves both with index.html from 127.0.0.1,
 * a secure context as WebGPU requires. Port 0 picks a free one.
 */
export async function servePage(port = 0): Promise<ServedPage> {
  const [script, html, digits] = await Promise.all([
    bundleEntry(new URL('./main.ts', import.meta.url).href),
    readFile(fileURLToPath(new URL('./index.html', import.meta.url))),
    loadMnist(),
  ]);
  const text = new TextEncoder();
  const routes: Record<string, Route> = {
    '/': route('text/html; charset=utf-8', html),
    '/main.js': route('text/javascript; charset=utf-8', text.encode(script)),
    [MNIST_ASSET_PATH]: route('application/octet-stream', encodeMnist(digits)),
  };
  const server = createServer((request, response) => {
    const found = routes[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (!found) return void response.writeHead(404).end();
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    response.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    response.end(gzip ? found.gzipped : found.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    sizes: Object.fromEntries(Object.entries(routes).map(([path, r]) => [path, r.body.length])),
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
