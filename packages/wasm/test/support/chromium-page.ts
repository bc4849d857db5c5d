// Serves scripts to headless Chromium from 127.0.0.1, with or without the cross-origin isolation
// headers, and reads back what the page stores on a global: for the page backend's tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../../../webgpu/test/runtimes/chromium.js';

export { chromiumPath };

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

export interface PageRun {
  readonly url: string;
  /** Scripts by path; `/` is a page that loads `/entry.js` as a module. */
  readonly scripts: Readonly<Record<string, string>>;
  /** Send COOP and COEP, so the page may share memory with its workers. */
  readonly isolated: boolean;
  readonly resultGlobal: string;
  readonly timeoutMs: number;
}

const PAGE = '<!doctype html><meta charset="utf-8"><title>spikeflow page backend test</title><script type="module" src="/entry.js"></script>';

/** Opens `url` (a path and query) in headless Chromium and resolves to `globalThis[resultGlobal]` once the page sets it. */
export async function runInChromium({ url, scripts, isolated, resultGlobal, timeoutMs }: PageRun): Promise<unknown> {
  const server = await serve(scripts, isolated);
  try {
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: timeoutMs });
    try {
      const page = await browser.newPage();
      const output: string[] = [];
      page.on('console', (m) => output.push(`console.${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => output.push(`page error: ${e.message}`));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}${url}`, { timeout: timeoutMs });
      try {
        await page.waitForFunction((key) => key in globalThis, resultGlobal, { timeout: timeoutMs });
      } catch (error) {
        throw new Error(`the page stored no result in ${timeoutMs} ms (${String(error)}); page output:\n${output.join('\n')}`);
      }
      return await page.evaluate((key) => (globalThis as Record<string, unknown>)[key], resultGlobal);
    } finally {
      await browser.close();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function serve(scripts: Readonly<Record<string, string>>, isolated: boolean): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const body = path === '/' ? PAGE : Object.hasOwn(scripts, path) ? scripts[path] : undefined;
    if (body === undefined) return void response.writeHead(404).end();
    const type = path === '/' ? 'text/html' : 'text/javascript';
    response.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', ...(isolated ? ISOLATION_HEADERS : {}) }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}
