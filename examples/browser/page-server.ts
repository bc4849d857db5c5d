import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from '../../packages/webgpu/test/runtimes/bundle.js';

export interface ServedPage {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Bundles main.ts (MNIST's JSON included, ~21 MB) and serves it with index.html from 127.0.0.1,
 * a secure context as WebGPU requires. Port 0 picks a free one.
 */
export async function servePage(port = 0): Promise<ServedPage> {
  const [script, html] = await Promise.all([bundleEntry(new URL('./main.ts', import.meta.url).href), readFile(fileURLToPath(new URL('./index.html', import.meta.url)), 'utf8')]);
  const routes: Record<string, readonly [string, string]> = { '/': ['text/html', html], '/main.js': ['text/javascript', script] };
  const server = createServer((request, response) => {
    const route = routes[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (!route) response.writeHead(404).end();
    else response.writeHead(200, { 'content-type': `${route[0]}; charset=utf-8`, 'cache-control': 'no-store' }).end(route[1]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
