// Serves scripts to headless Chromium from 127.0.0.1, with or without the cross-origin isolation
// headers, and reads back what the page stores on a global: for the page backend's tests.
import { chromiumPath, openPageInChromium } from '../../../webgpu/test/runtimes/chromium.js';

export { chromiumPath };

/** No WebGPU flags: the page backend runs on WebAssembly alone. */
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
export function runInChromium({ url, scripts, isolated, resultGlobal, timeoutMs }: PageRun): Promise<unknown> {
  const routes = Object.fromEntries([...Object.entries(scripts).map(([path, body]) => [path, ['text/javascript', body] as const]), ['/', ['text/html', PAGE] as const]]);
  return openPageInChromium({ url, routes, headers: isolated ? ISOLATION_HEADERS : {}, args: CHROMIUM_ARGS, resultGlobal, timeoutMs });
}
