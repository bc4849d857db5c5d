// GFLOP/s of @spikeflow/wasm's SIMD matmul (C = A·B, n × n, float32) on 1 and 2 threads (or as told).
//
//   npx tsx bench/wasm-matmul.ts [--n=1024] [--threads=1,2] [--tilings=4x2x256x64,6x2x256x72] [--reps=10]
//
// A tiling is rows × vectors × kBlock × mBlock (see packages/wasm/src/kernels/matmul.ts). Each row reports
// the median, min and max of the timed calls after warm-up calls (V8 compiles wasm with its
// baseline compiler first and its optimising one once the function is hot), the GFLOP/s of the
// median and of the best call, the process's CPU time per wall-clock time over three more calls
// (about 2 when two threads each had a core), and the 1-minute load average before and after: on
// a shared machine, compare rows taken under similar load. Before timing, sampled entries of C are checked
// against a float64 reference within the float32 error bound γ_k·Σ|a·b|.
import { loadavg } from 'node:os';
import { createNodeKernels } from '@spikeflow/wasm/node';
import type { MatmulTiling, WasmKernels } from '@spikeflow/wasm';
import { Rng } from './src/harness/rng.js';
import { flag, positiveInteger } from './src/harness/script-flags.js';
import { timeSteps } from './src/harness/timing.js';
import { matmulExcess, withCpuPerWall } from './src/suites/wasm-matmul.js';

function parseTiling(text: string): MatmulTiling {
  const match = /^(\d+)x(\d+)x(\d+)x(\d+)$/.exec(text);
  if (match === null) {
    console.error(`--tilings: '${text}' is not rows x vectors x kBlock x mBlock, e.g. 4x2x256x128`);
    process.exit(2);
  }
  return { rows: Number(match[1]), vectors: Number(match[2]), kBlock: Number(match[3]), mBlock: Number(match[4]) };
}

const n = positiveInteger('n', flag('n', '1024'));
const threadCounts = flag('threads', '1,2').split(',').map((t) => positiveInteger('threads', t));
const tilings = flag('tilings', '4x2x256x64').split(',').map(parseTiling);
const reps = positiveInteger('reps', flag('reps', '10'));

/** n × n entries in [-1, 1) in the kernels' memory. */
function fill(kernels: WasmKernels, seed: number) {
  const array = kernels.f32(n * n);
  array.array.set(new Rng(seed).uniform(n * n, -1, 1));
  return array;
}

const flops = 2 * n ** 3;
console.log(`wasm SIMD matmul, n = ${n}, ${flops / 1e9} GFLOP per call, Node ${process.version}`);
for (const tiling of tilings) {
  for (const threads of threadCounts) {
    const kernels = await createNodeKernels({ threads, tiling });
    try {
      const a = fill(kernels, 1);
      const b = fill(kernels, 2);
      const c = kernels.f32(n * n);
      const loadBefore = loadavg()[0]!;
      const timing = await timeSteps(async () => kernels.matmul(a, b, c, n, n, n), { reps, warmup: 3, budgetMs: 20_000, minReps: 3 });
      const loadAfter = loadavg()[0]!;
      // How much CPU the machine gave the process: on a loaded machine a second thread may get no core of its own.
      const { cpuPerWall: coresUsed } = await withCpuPerWall(async () => {
        for (let k = 0; k < 3; k++) kernels.matmul(a, b, c, n, n, n);
      });
      const excess = matmulExcess(a.array, b.array, c.array, n);
      if (!(excess <= 0)) throw new Error(`matmul result off by ${excess} beyond the float32 bound`);
      const gflops = (ms: number) => (flops / (ms * 1e-3) / 1e9).toFixed(1);
      console.log(
        `tiling ${tiling.rows}x${tiling.vectors}x${tiling.kBlock}x${tiling.mBlock}, ${threads} thread(s): median ${timing.ms_median.toFixed(1)} ms (${gflops(timing.ms_median)} GFLOP/s), ` +
          `best ${timing.ms_min.toFixed(1)} ms (${gflops(timing.ms_min)} GFLOP/s), worst ${timing.ms_max.toFixed(1)} ms, ${timing.reps} reps, ` +
          `first call ${timing.first_run_ms.toFixed(0)} ms; CPU/wall ${coresUsed.toFixed(2)} over 3 more calls; load average ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)}`,
      );
    } finally {
      await kernels.destroy();
    }
  }
}
