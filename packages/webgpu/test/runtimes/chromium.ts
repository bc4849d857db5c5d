import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';

/** Debian's chromium (scripts/setup.sh installs it); CHROMIUM_PATH overrides. Never a Playwright-downloaded browser. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Headless WebGPU on Chromium's bundled SwiftShader when there is no GPU, with no network traffic of its own. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

const PAGE = '<!doctype html><meta charset="utf-8"><title>spikeflow runtime test</title><script type="module" src="/entry.js"></script>';

/** A page for `openPageInChromium`: what the server sends, what the browser is started with, and where the result appears. */
export interface ChromiumPage {
  /** Path and query to open (default `/`). */
  readonly url?: string;
  /** Path -> [content type, body]. */
  readonly routes: Readonly<Record<string, readonly [string, string]>>;
  /** Extra headers on every response (e.g. cross-origin isolation). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Chromium's flags (default: headless WebGPU on SwiftShader, no network traffic of its own). */
  readonly args?: readonly string[];
  readonly resultGlobal: string;
  readonly timeoutMs: number;
}

/**
 * Serves `routes` from 127.0.0.1 (a secure context, which WebGPU requires), opens `url` in headless
 * Chromium and returns the value the page stores in `globalThis[resultGlobal]`. The browser and the
 * server are closed whatever happens.
 */
export async function openPageInChromium({ url = '/', routes, headers = {}, args = CHROMIUM_ARGS, resultGlobal, timeoutMs }: ChromiumPage): Promise<unknown> {
  const server = await serve(routes, headers);
  try {
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...args], timeout: timeoutMs });
    try {
      const page = await browser.newPage();
      const pageOutput: string[] = [];
      page.on('console', (message) => pageOutput.push(`console.${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => pageOutput.push(`page error: ${error.message}`));
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}${url}`, { timeout: timeoutMs });
      try {
        await page.waitForFunction((key) => key in globalThis, resultGlobal, { timeout: timeoutMs });
      } catch (error) {
        throw new Error(`the page stored no result in ${timeoutMs} ms (${String(error)}); page output:\n${pageOutput.join('\n')}`);
      }
      return await page.evaluate((key) => (globalThis as Record<string, unknown>)[key], resultGlobal);
    } finally {
      await browser.close();
    }
  } finally {
    await close(server);
  }
}

/** A page that runs `script` as a module; resolves to what it stores in `globalThis[resultGlobal]`. */
export function runPageInChromium(script: string, resultGlobal: string, timeoutMs: number): Promise<unknown> {
  return openPageInChromium({ routes: { '/': ['text/html', PAGE], '/entry.js': ['text/javascript', script] }, resultGlobal, timeoutMs });
}

/** A static HTTP server on a random localhost port: path -> [content type, body], `headers` on every response. */
async function serve(routes: Readonly<Record<string, readonly [string, string]>>, headers: Readonly<Record<string, string>>): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': `${route[0]}; charset=utf-8`, 'cache-control': 'no-store', ...headers }).end(route[1]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
