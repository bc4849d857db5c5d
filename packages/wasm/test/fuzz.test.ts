// The CI-size fuzz run on the WebAssembly backend: the same 100 random graphs (seeds 1..100, packs
// of 25 per program, some with their gradient graphs) as the WebGPU run, each compared with the CPU
// reference within the fuzzer's tolerance. A failure prints the seed and the graph as JSON.
import { describe, expect, it } from 'vitest';
import { catchingGuard, describeFailure, fuzz, type FuzzBackend } from '../../../test/support/fuzz/driver.js';
import { compiled } from './support/compare.js';

const CI_SEEDS = Array.from({ length: 100 }, (_, i) => 1 + i);

/** Two threads, so kernels that split their work are split. */
const wasmFuzzBackend: FuzzBackend = {
  name: 'WebAssembly',
  async run(graph, feeds) {
    const exe = await compiled(graph, 2);
    try {
      return await exe.run(feeds);
    } finally {
      exe.destroy();
    }
  },
  guard: catchingGuard,
};

describe('fuzz: random graphs on the WebAssembly backend match the CPU reference', () => {
  it(`${CI_SEEDS.length} graphs (seeds ${CI_SEEDS[0]}..${CI_SEEDS[CI_SEEDS.length - 1]})`, { timeout: 600_000 }, async () => {
    const report = await fuzz(wasmFuzzBackend, CI_SEEDS);
    console.log(`wasm fuzz: ${report.errors.outputs} outputs (${report.errors.elements} elements), ${report.gradientGraphs} gradient graphs; max abs error ${report.errors.maxAbs.toExponential(2)}, largest share of the tolerance ${report.errors.maxShare.toFixed(4)}`);
    expect(report.failures.map(describeFailure)).toEqual([]);
    expect(report.graphs).toBe(CI_SEEDS.length);
    expect(report.errors.outputs).toBeGreaterThanOrEqual(CI_SEEDS.length);
    expect(report.gradientGraphs).toBeGreaterThan(0);
  });
});
