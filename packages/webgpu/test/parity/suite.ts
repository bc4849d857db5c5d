// The backend parity suite, run unchanged in Node (vitest), Deno and headless Chromium.
// Platform-neutral on purpose: esbuild bundles this module for Deno and the browser, so nothing
// here (or in what it imports) may use Node's modules.
import { graphCases } from '../../../../test/support/parity/cases.js';
import { runCase } from './runner.js';
import { SMOKE_CASES } from './smoke-cases.js';

/** One parity check: runs on the device and throws (with what differed) when WebGPU disagrees with the reference. */
export interface ParityCase {
  readonly name: string;
  run(device: GPUDevice): Promise<void>;
}

export interface ParityResult {
  readonly passed: number;
  /** One line per failed case: its name and why. */
  readonly failed: string[];
}

/** Every primitive and VJP rule compiled by spikeflow and compared with the CPU reference. */
const GRAPH_CASES: readonly ParityCase[] = graphCases().map((c) => ({
  name: c.name,
  run: async (device: GPUDevice) => {
    const result = await runCase(device, c);
    if (!result.ok) throw new Error(`${result.detail} (tolerance ${c.tol})`);
  },
}));

export const PARITY_CASES: readonly ParityCase[] = [...SMOKE_CASES, ...GRAPH_CASES];

const ERROR_FILTERS: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/** Runs every case in turn; GPU errors a case raises are caught in error scopes and fail that case only. */
export async function runParitySuite(
  device: GPUDevice,
  log: (line: string) => void = () => {},
  cases: readonly ParityCase[] = PARITY_CASES,
): Promise<ParityResult> {
  let passed = 0;
  const failed: string[] = [];
  for (const parityCase of cases) {
    const start = performance.now();
    for (const filter of ERROR_FILTERS) device.pushErrorScope(filter);
    let problem: string | undefined;
    try {
      await parityCase.run(device);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    // Scopes pop in reverse; a GPU error explains a wrong result better than the mismatch it caused.
    for (let i = 0; i < ERROR_FILTERS.length; i++) {
      const gpuError = await device.popErrorScope();
      if (gpuError) problem = `GPU error: ${gpuError.message}`;
    }
    const ms = (performance.now() - start).toFixed(0);
    if (problem === undefined) {
      passed++;
      log(`ok   ${parityCase.name} (${ms} ms)`);
    } else {
      failed.push(`${parityCase.name}: ${problem}`);
      log(`FAIL ${parityCase.name} (${ms} ms): ${problem}`);
    }
  }
  return { passed, failed };
}
