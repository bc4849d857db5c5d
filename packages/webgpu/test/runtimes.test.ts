// The parity suite in the other two runtimes, each launched from Node: Deno (the `deno` npm
// package's binary, navigator.gpu through wgpu) and headless Chromium (Debian's chromium driven
// by playwright-core, WebGPU on SwiftShader). Both run the same esbuild bundle of test/parity/suite.ts.
// Like every WebGPU suite, they skip where this run skips WebGPU (see webgpu-probe.ts).
import { existsSync } from 'node:fs';
import { describe, expect, it, type TestContext } from 'vitest';
import { bundleEntry } from '../../../scripts/bundle-entry.js';
import { chromiumPath, runPageInChromium } from './runtimes/chromium.js';
import { denoExecutable, runDenoScript } from './runtimes/deno.js';
import { REPORT_GLOBAL, REPORT_LINE_PREFIX, type RuntimeReport } from './runtimes/run-suite.js';
import { skipIfWebGPUSkipped, unavailable } from './webgpu-required.js';

/** Per launch; Chromium's first start takes seconds on a cold machine. */
const RUN_TIMEOUT_MS = 240_000;
const TEST_TIMEOUT_MS = 300_000;

/** Asserts a report of a full, passing run; a runtime without an adapter skips or fails (see unavailable). */
function expectPassingRun(ctx: TestContext, runtime: string, report: RuntimeReport): void {
  if (report.status === 'no-device') unavailable(ctx, `${runtime} has no WebGPU adapter: ${report.reason}`);
  if (report.status === 'crashed') throw new Error(`${runtime}: the suite crashed: ${report.error}`);
  console.log(`${runtime} adapter: ${report.adapter}\n${report.log.join('\n')}`);
  expect(report.adapter).not.toBe('');
  expect(report.failed).toEqual([]);
  expect(report.passed).toBeGreaterThan(0);
}

describe('parity suite in other runtimes', () => {
  it('passes in Deno', async (ctx) => {
    skipIfWebGPUSkipped(ctx);
    try {
      denoExecutable();
    } catch (error) {
      unavailable(ctx, `no Deno binary from the 'deno' npm package (run pnpm install): ${String(error)}`);
    }
    const result = await runDenoScript(await bundleEntry(new URL('./runtimes/deno-entry.ts', import.meta.url).href), RUN_TIMEOUT_MS);
    const line = result.stdout.split('\n').find((l) => l.startsWith(REPORT_LINE_PREFIX));
    if (!line) throw new Error(`Deno printed no report (exit code ${result.code}):\n${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(line.slice(REPORT_LINE_PREFIX.length)) as RuntimeReport;
    expectPassingRun(ctx, 'Deno', report);
    expect(result.code).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('passes in headless Chromium', async (ctx) => {
    skipIfWebGPUSkipped(ctx);
    const executable = chromiumPath();
    if (!existsSync(executable)) {
      unavailable(ctx, `no Chromium at ${executable} (scripts/setup.sh installs Debian's chromium; CHROMIUM_PATH overrides)`);
    }
    const report = (await runPageInChromium(await bundleEntry(new URL('./runtimes/browser-entry.ts', import.meta.url).href), REPORT_GLOBAL, RUN_TIMEOUT_MS)) as RuntimeReport;
    expectPassingRun(ctx, 'Chromium', report);
  }, TEST_TIMEOUT_MS);
});
