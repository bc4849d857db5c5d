import type { HostTensor } from '@spikeflow/core';
import type { GraphCase } from '../../../../test/support/parity/cases.js';
import { caseFeeds, compareCase, type CaseResult } from '../../../../test/support/parity/case-run.js';
import { wasmShare } from '../../../../test/support/parity/wasm-tolerance.js';
import { compiled, reference } from '../support/compare.js';

/** Compares a case's WASM outputs with the float32 CPU reference for `feeds`; maxError is the share of the case's WASM tolerance used. */
export function compareWasmCase(c: GraphCase, feeds: Readonly<Record<string, HostTensor>>, got: Readonly<Record<string, HostTensor>>): CaseResult {
  return compareCase(c.name, reference(c.graph, feeds), got, (g, e) => wasmShare(g, e, c.wasm), 1, 'wasm');
}

/** Runs one case on the WebAssembly backend (`threads` threads) and on the CPU reference in float32. */
export async function runWasmCase(c: GraphCase, threads: number, seed = 1): Promise<CaseResult> {
  const feeds = caseFeeds(c, seed);
  const exe = await compiled(c.graph, threads);
  try {
    return compareWasmCase(c, feeds, await exe.run(feeds));
  } finally {
    exe.destroy();
  }
}
