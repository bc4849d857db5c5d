// The parity page's script, bundled for headless Chromium: runs the shared parity cases (those
// named by ?case=, all by default) on the page backend (`pageWasmBackend`: one module worker
// running webWasmBackend, its pool workers nested in it) and stores their outputs for Node to compare.
import { caseFeeds } from '../../../../test/support/parity/case-run.js';
import { graphCases } from '../../../../test/support/parity/cases.js';
import { pageWasmBackend, type PageBackend } from '../../src/web.js';
import { PARITY_REPORT_GLOBAL, PARITY_WORKER_PATH, type ChromiumParityReport } from './chromium-report.js';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function runCases(): Promise<ChromiumParityReport> {
  const query = new URLSearchParams(location.search);
  const wanted = new Set(query.getAll('case'));
  const started = performance.now();
  const outputs: ChromiumParityReport['outputs'] = {};
  const errors: ChromiumParityReport['errors'] = {};
  let backend: PageBackend;
  try {
    backend = await pageWasmBackend({ workerUrl: PARITY_WORKER_PATH, threads: Number(query.get('threads') ?? '2') });
  } catch (error) {
    return { threads: 0, crossOriginIsolated: false, outputs, errors, failure: message(error), ms: performance.now() - started };
  }
  for (const c of graphCases()) {
    if (wanted.size > 0 && !wanted.has(c.name)) continue;
    try {
      const runner = await backend.compile(c.graph);
      const out = await runner.run(caseFeeds(c, 1));
      runner.destroy();
      outputs[c.name] = Object.fromEntries(Object.entries(out).map(([name, t]) => [name, Array.from(t.data)]));
    } catch (error) {
      errors[c.name] = message(error);
    }
  }
  backend.close();
  return { threads: backend.threads, crossOriginIsolated: backend.crossOriginIsolated, outputs, errors, ms: performance.now() - started };
}

(globalThis as Record<string, unknown>)[PARITY_REPORT_GLOBAL] = await runCases();
