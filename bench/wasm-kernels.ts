// Throughput of @spikeflow/wasm's generated kernels with their own work shape: conv2d (im2col +
// packed multiply) on an SNN-typical shape, reductions (innermost runs and outer columns), the
// spike matmul against the dense one at several spike densities, and narrow matmuls.
//
//   npx tsx bench/wasm-kernels.ts [--threads=1] [--reps=5] [--only=conv,reduce,spike,narrow]
//
// Each case builds one module with its stages as (lo, hi, step) exports over one shared memory,
// values at fixed offsets (as a compiled program lays them out), and times the stages together:
// median and best of `reps` calls after warm-up, and the best call's CPU time (the process's, all
// threads together: on one thread, the time the call computed). Compare rows taken under similar
// load (printed); on a loaded machine the CPU column is the steadier one.
import { loadavg } from 'node:os';
import {
  directConvItems,
  directConvRefusal,
  directConvStatements,
  planDirectConv,
  f32,
  get,
  i32,
  im2colItems,
  im2colStatements,
  matmulScratchBytes,
  ModuleBuilder,
  multiplyItems,
  multiplyStatements,
  packAItems,
  packAStatements,
  packBItems,
  packBStatements,
  planConv,
  planMatmul,
  planRowsMatmul,
  planSpikeMatmul,
  rowsMatmulItems,
  rowsMatmulStatements,
  rowsPathApplies,
  reduceCombineStatements,
  reduceItems,
  reducePartialItems,
  reducePartialStatements,
  reduceSplit,
  reduceStatements,
  spikeItems,
  spikeMatmulUnpackedStatements,
  spikeTransposeItems,
  spikeTransposeScratchBytes,
  spikeTransposeStatements,
  untransposedSpikeSpec,
  splitRange,
  ThreadPool,
  v128,
  type Expr,
  type LocalAllocator,
  type MatmulSpec,
  type Stmt,
} from '@spikeflow/wasm';
import { spawnNodeWorker } from '@spikeflow/wasm/node';
import { flag, positiveInteger } from './src/harness/script-flags.js';
import { timeSteps } from './src/harness/timing.js';

const threads = positiveInteger('threads', flag('threads', '1'));
// --only=conv,reduce,spike,narrow runs those sections (all by default).
const only = process.argv.slice(2).find((a) => a.startsWith('--only='))?.slice(7).split(',');
const runs = (section: string) => only === undefined || only.includes(section);
const reps = positiveInteger('reps', flag('reps', '5'));

type Body = (fn: LocalAllocator, lo: Expr<'i32'>, hi: Expr<'i32'>) => Stmt[];
interface Stage {
  readonly items: number;
  readonly body: Body;
}

/** Lays out `floats` per buffer (filled with values in [-1, 1), or by `fill`), builds the stages, returns a runner. */
async function prepare(buffers: readonly (number | Float32Array)[], stagesOf: (ptrs: number[]) => Stage[]): Promise<{ run: () => void; destroy: () => Promise<void> }> {
  const ptrs: number[] = [];
  let top = 64;
  for (const b of buffers) {
    ptrs.push(top);
    top = Math.ceil((top + 4 * (typeof b === 'number' ? b : b.length)) / 64) * 64 + 64;
  }
  const pages = Math.ceil(top / 65_536) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  buffers.forEach((b, i) => {
    const view = new Float32Array(memory.buffer, ptrs[i]!, typeof b === 'number' ? b : b.length);
    if (typeof b === 'number') for (let k = 0; k < b; k++) view[k] = ((k * 2654435761) % 2001) / 1000 - 1;
    else view.set(b);
  });
  const stages = stagesOf(ptrs);
  const builder = new ModuleBuilder().importMemory({ module: 'env', name: 'memory', initial: pages, maximum: pages, shared: true });
  const names = stages.map((stage, s) => {
    builder.function(`stage${s}`, { params: { lo: 'i32', hi: 'i32', step: 'i32' } }, (p, fn) => ({ body: stage.body(fn, get(p.lo), get(p.hi)) }));
    return `stage${s}`;
  });
  const module = await WebAssembly.compile(builder.encode());
  const pool = await ThreadPool.create({ module, memory, memoryImport: { module: 'env', name: 'memory' }, kernels: names, threads, spawn: spawnNodeWorker });
  return {
    run: () => stages.forEach((stage, s) => pool.run(names[s]!, (t) => [...splitRange(stage.items, threads, t, 1), 0])),
    destroy: () => pool.destroy(),
  };
}

async function time(label: string, work: number, unit: string, prepared: Promise<{ run: () => void; destroy: () => Promise<void> }>): Promise<number> {
  // Returns the best call's CPU ms (all threads' CPU time together): on a loaded machine a call's
  // wall time includes the time it waited for a core, its CPU time does not.
  const { run, destroy } = await prepared;
  try {
    const load = loadavg()[0]!;
    const t = await timeSteps(async () => run(), { reps, warmup: 2, budgetMs: 10_000, minReps: 3 });
    let cpu = Infinity;
    for (let r = 0; r < reps; r++) {
      const start = process.cpuUsage();
      run();
      const used = process.cpuUsage(start);
      cpu = Math.min(cpu, (used.user + used.system) / 1000);
    }
    const rate = (ms: number) => (work / (ms * 1e-3) / 1e9).toFixed(2);
    console.log(`${label}: median ${t.ms_median.toFixed(2)} ms (${rate(t.ms_median)} ${unit}), best ${t.ms_min.toFixed(2)} ms (${rate(t.ms_min)}), best CPU ${cpu.toFixed(2)} ms (${rate(cpu)}); load ${load.toFixed(1)}`);
    return cpu;
  } finally {
    await destroy();
  }
}

const c = i32.const;
const size = (shape: readonly number[]) => shape.reduce((x, d) => x * d, 1);

function matmulStages(spec: MatmulSpec, [a, b, packedA, packedB, out]: number[]): Stage[] {
  const plan = planMatmul(spec);
  return [
    { items: packAItems(plan), body: (fn, lo, hi) => packAStatements(fn, plan, c(a!), c(packedA!), lo, hi) },
    { items: packBItems(plan), body: (fn, lo, hi) => packBStatements(fn, plan, c(b!), c(packedB!), lo, hi) },
    { items: multiplyItems(plan), body: (fn, lo, hi) => multiplyStatements(fn, plan, c(packedA!), c(packedB!), c(out!), lo, hi) },
  ];
}
function matmulBuffers(spec: MatmulSpec, a: number | Float32Array = size(spec.aShape)): (number | Float32Array)[] {
  const plan = planMatmul(spec);
  const scratch = matmulScratchBytes(plan);
  return [a, size(spec.bShape), scratch.packedA / 4, scratch.packedB / 4, size(plan.batch) * plan.m * plan.n];
}

console.log(`wasm generated kernels, ${threads} thread(s), Node ${process.version}`);

// conv2d: the SNN-typical shape (T·B = 256 frames of 2 × 34 × 34 events, 12 channels 5 × 5) and
// wider ones, by im2col + packed multiply and by the direct path, to place the rule between them.
const CONV_SHAPES: { x: number[]; w: number[]; pad: number }[] = [
  { x: [256, 2, 34, 34], w: [12, 2, 5, 5], pad: 0 },
  { x: [32, 16, 32, 32], w: [32, 16, 3, 3], pad: 1 },
  { x: [32, 32, 16, 16], w: [64, 32, 3, 3], pad: 1 },
  { x: [8, 64, 16, 16], w: [128, 64, 3, 3], pad: 1 },
];
for (const shape of runs('conv') ? CONV_SHAPES : []) {
  const padding = [[shape.pad, shape.pad], [shape.pad, shape.pad]] as [number, number][];
  const spec = { xShape: shape.x, wShape: shape.w, stride: [1, 1], padding, dilation: [1, 1], groups: 1 };
  const plan = planConv(spec);
  const scratch = matmulScratchBytes(plan.matmul);
  const outLength = shape.x[0]! * shape.w[0]! * size(plan.outSpatial);
  const flops = 2 * outLength * size(shape.w.slice(1));
  const name = `conv2d ${JSON.stringify(shape.x)} * ${JSON.stringify(shape.w)} pad ${shape.pad}`;
  await time(`${name}, im2col (${(scratch.packedB / 2 ** 20).toFixed(1)} MiB)`, flops, 'GFLOP/s', prepare([size(spec.xShape), size(spec.wShape), scratch.packedA / 4, scratch.packedB / 4, outLength], ([x, w, pa, pb, out]) => [
    { items: packAItems(plan.matmul), body: (fn, lo, hi) => packAStatements(fn, plan.matmul, c(w!), c(pa!), lo, hi) },
    { items: im2colItems(plan), body: (fn, lo, hi) => im2colStatements(fn, plan, c(x!), c(pb!), lo, hi) },
    { items: multiplyItems(plan.matmul), body: (fn, lo, hi) => multiplyStatements(fn, plan.matmul, c(pa!), c(pb!), c(out!), lo, hi) },
  ]));
  if (directConvRefusal(spec) === undefined) {
    for (const tile of [{ coBlock: 4, vectors: 2 }, { coBlock: 6, vectors: 2 }, { coBlock: 3, vectors: 2 }]) {
    const direct = planDirectConv(spec, plan.outSpatial, tile);
    await time(`${name}, direct ${tile.coBlock}×${tile.vectors}`, flops, 'GFLOP/s', prepare([size(spec.xShape), size(spec.wShape), outLength], ([x, w, out]) => [
      { items: directConvItems(direct), body: (fn, lo, hi) => directConvStatements(fn, direct, c(x!), c(w!), c(out!), lo, hi) },
    ]));
    }
  }
}

// Reductions of a [4096, 1024] f32 tensor: over the last axis (runs) and over the first (columns).
for (const axes of runs('reduce') ? [[1], [0]] : []) {
  const spec = { kind: { combine: 'sum' as const, divideByCount: false }, dtype: 'f32' as const, inputShape: [4096, 1024], axes };
  await time(`sum of [4096, 1024] over axis ${axes[0]}`, 4 * 4096 * 1024, 'GB/s read', prepare([4096 * 1024, reduceItems(spec)], ([x, out]) => [
    {
      items: reduceItems(spec),
      body: (fn, lo, hi) => {
        const at = (index: Expr<'i32'>) => i32.add(c(x!), i32.shl(index, c(2)));
        return reduceStatements(fn, spec, { read: (index) => f32.load(at(index)), read4: (index) => v128.load(at(index), { align: 4 }) }, c(out!), lo, hi);
      },
    },
  ]));
}

// The whole [4096, 1024] tensor summed: one stage (one thread) and split over chunks (partials, then a combine).
if (runs('reduce')) {
  const spec = { kind: { combine: 'sum' as const, divideByCount: false }, dtype: 'f32' as const, inputShape: [4096, 1024], axes: [0, 1] };
  const split = reduceSplit(spec)!;
  const at = (x: number, index: Expr<'i32'>) => i32.add(c(x), i32.shl(index, c(2)));
  const input = (x: number) => ({ read: (index: Expr<'i32'>) => f32.load(at(x, index)), read4: (index: Expr<'i32'>) => v128.load(at(x, index), { align: 4 }) });
  await time('sum of all of [4096, 1024], one stage', 4 * 4096 * 1024, 'GB/s read', prepare([4096 * 1024, 1], ([x, out]) => [{ items: 1, body: (fn, lo, hi) => reduceStatements(fn, spec, input(x!), c(out!), lo, hi) }]));
  await time(`sum of all of [4096, 1024], split (${split.chunks} chunks)`, 4 * 4096 * 1024, 'GB/s read', prepare([4096 * 1024, split.chunks, 1], ([x, partials, out]) => [
    { items: reducePartialItems(split), body: (fn, lo, hi) => reducePartialStatements(fn, spec, split, input(x!), c(partials!), lo, hi) },
    { items: 1, body: (fn, lo, hi) => reduceCombineStatements(fn, spec, split, c(partials!), c(out!), lo, hi) },
  ]));
}

// Spike matmul [256, 784] · [784, 256] (B read as stored) and Sᵀ·dH, [784, 256]ᵀ · [784, 256], each against the dense one.
for (const spec of !runs('spike') ? [] : [
  { aShape: [256, 784], bShape: [784, 256], transposeA: false, transposeB: false },
  { aShape: [784, 256], bShape: [784, 256], transposeA: true, transposeB: false },
]) {
  const plan = planSpikeMatmul(spec);
  const flops = 2 * plan.m * plan.k * plan.n;
  const name = `[${spec.aShape.join(', ')}]${spec.transposeA ? 'ᵀ' : ''} · [${spec.bShape.join(', ')}]`;
  const dense = await time(`dense matmul ${name}`, flops, 'GFLOP/s', prepare(matmulBuffers(spec), (ptrs) => matmulStages(spec, ptrs)));
  for (const density of [0.02, 0.1, 0.3, 0.5]) {
    const spikes = Float32Array.from({ length: plan.m * plan.k }, (_, k) => (((k * 2654435761) >>> 0) / 2 ** 32 < density ? 1 : 0));
    const ms = await time(`spike matmul ${name}, density ${density}`, flops, 'dense-equivalent GFLOP/s', prepare([spikes, plan.k * plan.n, plan.m * plan.n], ([s, b, out]) => [
      { items: spikeItems(plan), body: (fn, lo, hi) => spikeMatmulUnpackedStatements(fn, plan, c(s!), c(b!), c(out!), lo, hi) },
    ]));
    console.log(`  best CPU against best CPU: ${(dense / ms).toFixed(2)}× the dense matmul's speed`);
    if (spec.transposeA) {
      const copyPlan = planSpikeMatmul(untransposedSpikeSpec(spec));
      const viaCopy = await time(`  Sᵀ copied to [M, K] first, density ${density}`, flops, 'dense-equivalent GFLOP/s', prepare([spikes, plan.k * plan.n, spikeTransposeScratchBytes(plan) / 4, plan.m * plan.n], ([s, b, copy, out]) => [
        { items: spikeTransposeItems(plan), body: (fn, lo, hi) => spikeTransposeStatements(fn, plan, c(s!), c(copy!), lo, hi) },
        { items: spikeItems(copyPlan), body: (fn, lo, hi) => spikeMatmulUnpackedStatements(fn, copyPlan, c(copy!), c(b!), c(out!), lo, hi) },
      ]));
      console.log(`  best CPU against best CPU: ${(dense / viaCopy).toFixed(2)}× the dense matmul's speed`);
    }
  }
}

// Narrow shapes: a few rows (packed, then B unpacked), three columns, both operands transposed.
for (const spec of !runs('narrow') ? [] : [
  { aShape: [1, 1024], bShape: [1024, 1024], transposeA: false, transposeB: false },
  { aShape: [4, 1024], bShape: [1024, 1024], transposeA: false, transposeB: false },
  { aShape: [8, 1024], bShape: [1024, 1024], transposeA: false, transposeB: false },
  { aShape: [1024, 1024], bShape: [1024, 3], transposeA: false, transposeB: false },
  { aShape: [1024, 1024], bShape: [1024, 1024], transposeA: true, transposeB: true },
]) {
  const plan = planMatmul(spec);
  const name = `matmul ${JSON.stringify(spec.aShape)}${spec.transposeA ? 'ᵀ' : ''} · ${JSON.stringify(spec.bShape)}${spec.transposeB ? 'ᵀ' : ''}`;
  const flops = 2 * plan.m * plan.k * plan.n;
  await time(`${name}, packed`, flops, 'GFLOP/s', prepare(matmulBuffers(spec), (ptrs) => matmulStages(spec, ptrs)));
  if (rowsPathApplies(plan)) {
    const rows = planRowsMatmul(plan);
    await time(`${name}, B unpacked`, flops, 'GFLOP/s', prepare([size(spec.aShape), size(spec.bShape), plan.m * plan.n], ([a, b, out]) => [
      { items: rowsMatmulItems(rows), body: (fn, lo, hi) => rowsMatmulStatements(fn, rows, c(a!), c(b!), c(out!), lo, hi) },
    ]));
  }
}
