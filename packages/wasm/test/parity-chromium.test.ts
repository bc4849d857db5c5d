// The parity suite (every case of test/support/parity/cases.ts: forward and gradient graphs) on
// the page backend in headless Chromium: a page's main thread calls pageWasmBackend, one module
// worker runs webWasmBackend on 2 threads (its pool workers nested in it). Node compares the
// outputs with the float32 CPU reference within each case's WASM tolerance, as parity.test.ts does.
import { existsSync } from 'node:fs';
import { tensor, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { bundleEntry } from '../../../scripts/bundle-entry.js';
import { caseFeeds } from '../../../test/support/parity/case-run.js';
import { graphCases, type GraphCase } from '../../../test/support/parity/cases.js';
import { PARITY_REPORT_GLOBAL, PARITY_WORKER_PATH, type ChromiumParityReport } from './parity/chromium-report.js';
import { compareWasmCase } from './parity/runner.js';
import { chromiumPath, runInChromium } from './support/chromium-page.js';
import { reference } from './support/compare.js';

const REQUIRE_BROWSER = process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1';
const TIMEOUT_MS = 240_000;

/** Runs the parity page (the cases named, all if none) and returns its report. */
async function runParityPage(isolated: boolean, threads: number, cases: readonly string[] = []): Promise<ChromiumParityReport> {
  const [entry, worker] = await Promise.all([bundleEntry(new URL('./parity/chromium-entry.ts', import.meta.url).href), bundleEntry(new URL('./parity/chromium-worker-entry.ts', import.meta.url).href)]);
  const query = new URLSearchParams([['threads', String(threads)], ...cases.map((c) => ['case', c])]);
  return (await runInChromium({ url: `/?${query}`, scripts: { '/entry.js': entry, [PARITY_WORKER_PATH]: worker }, isolated, resultGlobal: PARITY_REPORT_GLOBAL, timeoutMs: TIMEOUT_MS })) as ChromiumParityReport;
}

/** Every case's outputs from the page against the float32 CPU reference in Node, within the case's WASM tolerance. */
function expectParity(report: ChromiumParityReport, cases: readonly GraphCase[]): void {
  expect(report.failure).toBeUndefined();
  expect(report.errors).toEqual({});
  expect(Object.keys(report.outputs).sort()).toEqual(cases.map((c) => c.name).sort());
  for (const c of cases) {
    const feeds = caseFeeds(c, 1);
    // The outputs' types from the reference: the page sent their values only.
    const got: Record<string, HostTensor> = Object.fromEntries(
      Object.entries(reference(c.graph, feeds)).map(([name, t]) => [name, tensor(t.type.shape, report.outputs[c.name]![name] ?? [], t.type.dtype)]),
    );
    const result = compareWasmCase(c, feeds, got);
    expect(result.detail ?? 'ok', `${c.name} (tolerance: ${c.wasm.why})`).toBe('ok');
    expect(result.maxError, c.name).toBeLessThanOrEqual(1);
  }
}

describe.skipIf(!REQUIRE_BROWSER && !existsSync(chromiumPath()))('parity suite on the page backend in headless Chromium', () => {
  it('passes every case on 2 threads in a cross-origin-isolated page', async () => {
    const cases = graphCases();
    const report = await runParityPage(true, 2);
    console.log(`${cases.length} cases in Chromium on ${report.threads} threads: ${(report.ms / 1000).toFixed(1)} s`);
    expect([report.threads, report.crossOriginIsolated]).toEqual([2, true]);
    expectParity(report, cases);
  }, TIMEOUT_MS + 60_000);

  it('runs on 1 thread, and says so, in a page that is not cross-origin isolated', async () => {
    const names = ['unary exp', 'matmul 70x300 @ 300x90', 'LIF scan (elementwise body: one kernel)', 'grad LIF BPTT (scan VJP)'];
    const cases = graphCases().filter((c) => names.includes(c.name));
    expect(cases.length).toBe(names.length);
    const report = await runParityPage(false, 2, names);
    expect([report.threads, report.crossOriginIsolated]).toEqual([1, false]);
    expectParity(report, cases);
  }, TIMEOUT_MS + 60_000);
});
