import { nodeWasmBackend } from '@spikeflow/wasm/node';
import type { Suite } from '../context.js';
import { Rng } from '../harness/rng.js';
import { row, type Row } from '../harness/row.js';
import { sampleSteps, timingOf } from '../harness/timing.js';
import { wasmExecutable } from '../spikeflow-wasm/executable.js';
import { matmulGraph } from './device-limits.js';

export const WASM_MATMUL_WORKLOAD = 'WASM matmul';
/** The backend's goal at n = 1,024 on 2 threads. */
export const WASM_MATMUL_GFLOPS_GOAL = 40;

/**
 * Largest excess of sampled entries of C = A·B (n × n) over the float32 error bound γ_n·Σ|a·b|
 * against a float64 product (≤ 0 when every sampled entry is within it).
 */
export function matmulExcess(a: Float32Array, b: Float32Array, c: Float32Array, n: number, samples = 256): number {
  const gamma = (n * 2 ** -24) / (1 - n * 2 ** -24);
  let worst = -Infinity;
  for (let s = 0; s < samples; s++) {
    const i = (s * 7919) % n;
    const j = (s * 104_729) % n;
    let exact = 0;
    let magnitude = 0;
    for (let p = 0; p < n; p++) {
      const term = a[i * n + p]! * b[p * n + j]!;
      exact += term;
      magnitude += Math.abs(term);
    }
    worst = Math.max(worst, Math.abs(c[i * n + j]! - exact) - gamma * magnitude);
  }
  return worst;
}

/**
 * Runs `work` and resolves to its value and the CPU time the process got per wall-clock time
 * meanwhile: about the thread count when every thread had a core of its own, less on a loaded
 * machine where a second thread may get no core.
 */
export async function withCpuPerWall<T>(work: () => Promise<T>): Promise<{ value: T; cpuPerWall: number }> {
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const value = await work();
  const cpu = process.cpuUsage(cpuBefore);
  return { value, cpuPerWall: (cpu.user + cpu.system) / 1e3 / (performance.now() - wallBefore) };
}

/**
 * The WebAssembly backend's matmul, C = A @ B at n = 1,024, as a user gets it: W3's graph compiled
 * by `nodeWasmBackend` (pack A, pack B, the SIMD register-tiled multiply), once per thread count.
 * C is checked against a float64 product first. The thread counts alternate in rounds, so a change
 * of load on a shared machine hits them alike; each row also records the CPU time the process got
 * per wall-clock time (about the thread count when every thread had a core of its own).
 */
export const wasmMatmulSuite: Suite = {
  id: 'wasm-matmul',
  title: WASM_MATMUL_WORKLOAD,
  async run(ctx) {
    const { n, threads: threadCounts, rounds, products } = ctx.config.wasmMatmul;
    const rng = new Rng(3);
    const a = rng.uniform(n * n, -1, 1);
    const b = rng.uniform(n * n, -1, 1);
    const exes = new Map<number, ReturnType<typeof wasmExecutable>>();
    try {
      for (const threads of threadCounts) {
        const exe = wasmExecutable(await nodeWasmBackend({ threads }).compile(matmulGraph(n)));
        exes.set(threads, exe);
        exe.setParams({ a, b });
        const c = (await exe.run()).c!.data as Float32Array;
        const excess = matmulExcess(a, b, c, n);
        if (!(excess <= 0)) throw new Error(`WASM matmul on ${threads} thread(s): C is off by ${excess} beyond the float32 bound`);
      }
      const samples = new Map<number, { first: number; ms: number[]; cores: number[] }>(threadCounts.map((t) => [t, { first: NaN, ms: [], cores: [] }]));
      const sample = (threads: number) => async () => {
        for (let k = 0; k < products; k++) exes.get(threads)!.submit();
      };
      for (let round = 0; round < rounds; round++) {
        for (const threads of threadCounts) {
          const { value: sampled, cpuPerWall } = await withCpuPerWall(() => sampleSteps(sample(threads), ctx.config.timing));
          const { first, samples: ms } = sampled;
          const got = samples.get(threads)!;
          if (round === 0) got.first = first;
          got.ms.push(...ms);
          got.cores.push(cpuPerWall);
          ctx.log(`  round ${round + 1}/${rounds} ${threads} thread(s): median ${([...ms].sort((x, y) => x - y)[ms.length >> 1]! / products).toFixed(1)} ms per product`);
        }
      }
      const gflop = (2 * n ** 3 * products) / 1e9;
      return threadCounts.map((threads): Row => {
        const got = samples.get(threads)!;
        const timing = timingOf(got.ms, got.first);
        const cores = [...got.cores].sort((x, y) => x - y)[got.cores.length >> 1]!;
        ctx.log(`  spikeflow-wasm matmul, ${threads} thread(s): ${(gflop / (timing.ms_median / 1e3)).toFixed(1)} GFLOP/s (best ${(gflop / (timing.ms_min / 1e3)).toFixed(1)}), CPU/wall ${cores.toFixed(2)}`);
        return row(WASM_MATMUL_WORKLOAD, 'spikeflow-wasm', `CPU via WebAssembly SIMD (${threads} thread${threads === 1 ? '' : 's'})`, { N: n }, timing, {
          threads,
          products,
          gflops: gflop / (timing.ms_median / 1e3),
          gflops_best: gflop / (timing.ms_min / 1e3),
          cpu_per_wall: cores,
        });
      });
    } finally {
      exes.forEach((exe) => exe.destroy());
    }
  },
};
