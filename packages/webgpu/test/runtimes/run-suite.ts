// What the Deno and browser entries share: acquire navigator.gpu, run the parity suite, report.
// Platform-neutral: bundled by esbuild for Deno and the browser.
import { SpikeflowError } from '@spikeflow/core';
import { acquireDevice, type GpuContext } from '../../src/device/index.js';
import { runParitySuite } from '../parity/suite.js';

/** The outcome a runtime entry hands back to the Node test that launched it. */
export type RuntimeReport =
  | { readonly status: 'ran'; readonly adapter: string; readonly passed: number; readonly failed: string[]; readonly log: string[] }
  | { readonly status: 'no-device'; readonly reason: string }
  | { readonly status: 'crashed'; readonly error: string };

/** Prefix of the line a Deno entry prints its report on, so the test finds it among other output. */
export const REPORT_LINE_PREFIX = 'SPIKEFLOW_REPORT ';

/** The global a browser entry stores its report in for the test to read. */
export const REPORT_GLOBAL = '__spikeflowReport';

export async function runSuiteOnNavigatorGpu(): Promise<RuntimeReport> {
  let ctx: GpuContext;
  try {
    ctx = await acquireDevice();
  } catch (error) {
    if (error instanceof SpikeflowError && error.code === 'device') return { status: 'no-device', reason: error.message };
    return crashed(error);
  }
  const log: string[] = [];
  try {
    const { passed, failed } = await ctx.raceLost(runParitySuite(ctx.device, (line) => log.push(line)));
    const uncaptured = ctx.takeErrors().map((error) => `uncaptured: ${error.message}`);
    return { status: 'ran', adapter: ctx.adapterInfo, passed, failed: [...failed, ...uncaptured], log };
  } catch (error) {
    return crashed(error);
  } finally {
    ctx.device.destroy();
  }
}

function crashed(error: unknown): RuntimeReport {
  return { status: 'crashed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
