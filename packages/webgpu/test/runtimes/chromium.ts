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

/**
 * Serves a page running `script` from 127.0.0.1 (a secure context, which WebGPU requires), opens it
 * in headless Chromium and returns the value the script stores in `globalThis[resultGlobal]`.
 * The browser and the server are closed whatever happens.
 */
export async function runPageInChromium(script: string, resultGlobal: string, timeoutMs: number): Promise<unknown> {
  const server = await serve({ '/': ['text/html', PAGE], '/entry.js': ['text/javascript', script] });
  try {
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: timeoutMs });
    try {
      const page = await browser.newPage();
      const pageOutput: string[] = [];
      page.on('console', (message) => pageOutput.push(`console.${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => pageOutput.push(`page error: ${error.message}`));
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/`, { timeout: timeoutMs });
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

/** A static HTTP server on a random localhost port: path -> [content type, body]. */
async function serve(routes: Readonly<Record<string, readonly [string, string]>>): Promise<Server> {
  const server = createServer((request, response) => {
    const route = routes[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': `${route[0]}; charset=utf-8`, 'cache-control': 'no-store' }).end(route[1]);
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
