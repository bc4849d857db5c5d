import { evaluate } from '@spikeflow/core';
import { compile } from '../../src/index.js';
import type { GraphCase } from '../../../../test/support/parity/cases.js';
import { caseFeeds, compareCase, type CaseResult } from '../../../../test/support/parity/case-run.js';

/** |gpu - cpu| / max(1, |cpu|); 0 where both are NaN. */
function relativeError(gpu: number, cpu: number): number {
  return Number.isNaN(cpu) && Number.isNaN(gpu) ? 0 : Math.abs(gpu - cpu) / Math.max(1, Math.abs(cpu));
}

/** Runs one case on the CPU reference and on `device`, and compares every output within the case's `tol`. */
export async function runCase(device: GPUDevice, c: GraphCase, seed = 1): Promise<CaseResult> {
  const feeds = caseFeeds(c, seed);
  const cpu = evaluate(c.graph, { inputs: feeds }).outputs;
  const exe = await compile(c.graph, device);
  try {
    return compareCase(c.name, cpu, await exe.run(feeds), relativeError, c.tol, 'gpu');
  } finally {
    exe.destroy();
  }
}
