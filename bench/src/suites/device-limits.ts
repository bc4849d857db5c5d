import { trace, type Graph } from '@spikeflow/core';
import { compile } from '@spikeflow/webgpu';
import type { BenchContext, Suite } from '../context.js';
import { kernelRows, profileKernels } from '../gpu/kernel-profile.js';
import { copyWgsl, copyWorkgroups, REFERENCE_COPIES } from '../gpu/reference-copy.js';
import { REFERENCE_MATMULS, tiledMatmulWgsl, tiledMatmulWorkgroups } from '../gpu/reference-matmul.js';
import { encodeDispatches, rawKernel, readBack, storageBuffer } from '../gpu/raw-kernel.js';
import { expectAgreement, scaledError } from '../harness/agreement.js';
import { Rng } from '../harness/rng.js';
import { row, type Row } from '../harness/row.js';
import { timeSteps } from '../harness/timing.js';
import { compileSpikingLayer } from '../spikeflow/layer.js';
import { LIF_LAYER } from '../workloads/spiking-layers.js';

/**
 * W3 of bench/WORKLOADS.md: what the device itself can do, and how close spikeflow's kernels get.
 * - matmul: C = A @ B at n = 1024, several back-to-back products then one blocking readback of C,
 *   spikeflow's kernel against the textbook tiled WGSL kernels (the best of them is the baseline);
 * - copy: y = 2x on 16 Mi floats, the bandwidth ceiling (K back-to-back copies, then a wait for
 *   the queue: reading 64 MiB back would time the readback instead);
 * - spikeflow's multi-step LIF forward+backward as bytes its fused scan kernels move per second,
 *   as a fraction of that ceiling.
 */
export const MATMUL_WORKLOAD = 'W3 matmul';
export const COPY_WORKLOAD = 'W3 copy';
export const LIF_BANDWIDTH_WORKLOAD = 'W3 LIF fwd+bwd bandwidth';
const MATMUL_TOLERANCE = 1e-4;

/** C = A @ B over two n × n params: the W3 matmul, also compiled for the CPU by suites/wasm-matmul.ts. */
export function matmulGraph(n: number): Graph {
  return trace((b) => ({ c: b.param('a', [n, n], { kind: 'zeros' }).matmul(b.param('b', [n, n], { kind: 'zeros' })) }));
}

async function matmulRows(ctx: BenchContext): Promise<Row[]> {
  const { device, adapterInfo } = ctx.gpu;
  const { matmulN: n, products } = ctx.config.deviceLimits;
  const rng = new Rng(3);
  const a = rng.uniform(n * n, -1, 1);
  const b = rng.uniform(n * n, -1, 1);
  const gflopPerSample = (2 * n ** 3 * products) / 1e9;
  const fields = (ms: number) => ({ products, gflops: gflopPerSample / (ms / 1e3) });
  // A sample is already several products and the first one warms up, so no extra warm-up call and
  // two samples suffice (the small reference tiles take ~10 s per product on lavapipe).
  const matmulTiming = { ...ctx.config.timing, warmup: 0, minReps: Math.min(2, ctx.config.timing.minReps) };
  const rows: Row[] = [];

  const exe = await compile(matmulGraph(n), device);
  exe.setParams({ a, b });
  const expected = (await exe.run()).c!.data;
  const sample = async () => {
    for (let k = 1; k < products; k++) exe.submit();
    await exe.run();
  };
  const timing = await timeSteps(sample, matmulTiming);
  ctx.log(`  spikeflow matmul: ${fields(timing.ms_median).gflops.toFixed(2)} GFLOP/s`);
  rows.push(row(MATMUL_WORKLOAD, 'spikeflow', adapterInfo, { N: n }, timing, { kernel: exe.stats.kernels.map((k) => k.label).join(', '), ...fields(timing.ms_median) }));
  if (ctx.config.profile) rows.push(...kernelRows(MATMUL_WORKLOAD, adapterInfo, { N: n }, await profileKernels(device, exe)));
  exe.destroy();

  const bufA = storageBuffer(device, 4 * n * n);
  const bufB = storageBuffer(device, 4 * n * n);
  const bufC = storageBuffer(device, 4 * n * n);
  device.queue.writeBuffer(bufA, 0, a);
  device.queue.writeBuffer(bufB, 0, b);
  // On lavapipe the small tiles run at a tenth of the 64x64 one (barriers dominate) and take minutes at
  // n = 1024, so quick mode times only the last, largest tile.
  for (const variant of ctx.config.quick ? REFERENCE_MATMULS.slice(-1) : REFERENCE_MATMULS) {
    const kernel = await rawKernel(device, tiledMatmulWgsl(variant, n), ['read', 'read', 'read_write']);
    const group = device.createBindGroup({ layout: kernel.layout0, entries: [bufA, bufB, bufC].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const product = () => {
      const encoder = device.createCommandEncoder();
      encodeDispatches(encoder, kernel, group, tiledMatmulWorkgroups(variant, n), 1);
      device.queue.submit([encoder.finish()]);
    };
    product();
    // A baseline that computes something else would flatter spikeflow: check it first.
    expectAgreement(`reference matmul '${variant.name}'`, { C: scaledError(await readBack(device, bufC, 4 * n * n), expected) }, MATMUL_TOLERANCE);
    const t = await timeSteps(async () => {
      for (let k = 0; k < products; k++) product();
      await readBack(device, bufC, 4 * n * n);
    }, matmulTiming);
    ctx.log(`  reference ${variant.name}: ${fields(t.ms_median).gflops.toFixed(2)} GFLOP/s`);
    rows.push(row(MATMUL_WORKLOAD, 'reference WGSL', adapterInfo, { N: n }, t, { kernel: variant.name, ...fields(t.ms_median) }));
  }
  for (const buffer of [bufA, bufB, bufC]) buffer.destroy();
  return rows;
}

async function copyRows(ctx: BenchContext): Promise<Row[]> {
  const { device, adapterInfo } = ctx.gpu;
  const { copyElements: elements, copies } = ctx.config.deviceLimits;
  const fields = (ms: number) => ({ copies, gbps: (8 * elements * copies) / (ms / 1e3) / 1e9 });
  const rows: Row[] = [];

  const x = storageBuffer(device, 4 * elements);
  const y = storageBuffer(device, 4 * elements);
  for (const variant of REFERENCE_COPIES) {
    const kernel = await rawKernel(device, copyWgsl(variant, elements), ['read', 'read_write']);
    const group = device.createBindGroup({ layout: kernel.layout0, entries: [x, y].map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const t = await timeSteps(async () => {
      for (let k = 0; k < copies; k++) {
        const encoder = device.createCommandEncoder();
        encodeDispatches(encoder, kernel, group, copyWorkgroups(variant, elements), 1);
        device.queue.submit([encoder.finish()]);
      }
      await device.queue.onSubmittedWorkDone();
    }, ctx.config.timing);
    ctx.log(`  reference ${variant.name}: ${fields(t.ms_median).gbps.toFixed(2)} GB/s`);
    rows.push(row(COPY_WORKLOAD, 'reference WGSL', adapterInfo, { N: elements }, t, { kernel: variant.name, ...fields(t.ms_median) }));
  }
  x.destroy();
  y.destroy();

  const exe = await compile(trace((b) => ({ y: b.param('x', [elements], { kind: 'zeros' }).mul(2) })), device);
  const t = await timeSteps(async () => {
    for (let k = 0; k < copies; k++) exe.submit();
    await device.queue.onSubmittedWorkDone();
  }, ctx.config.timing);
  ctx.log(`  spikeflow y = 2x: ${fields(t.ms_median).gbps.toFixed(2)} GB/s`);
  rows.push(row(COPY_WORKLOAD, 'spikeflow', adapterInfo, { N: elements }, t, { kernel: exe.stats.kernels.map((k) => k.kind).join(', '), ...fields(t.ms_median) }));
  exe.destroy();
  return rows;
}

/** The LIF layer's forward+backward (grad of sum(S G) w.r.t. X) against the best copy bandwidth. */
async function lifBandwidthRows(ctx: BenchContext, copyGbps: number): Promise<Row[]> {
  const { device, adapterInfo } = ctx.gpu;
  const { T, N } = ctx.config.deviceLimits.lif;
  const rng = new Rng(5);
  const layer = await compileSpikingLayer(device, LIF_LAYER, T, N, true);
  layer.exe.setParams({ X: rng.uniform(T * N, -1, 3), G: rng.uniform(T * N, -1, 1) });
  const timing = await timeSteps(() => layer.call(), ctx.config.timing);
  const kernels = await profileKernels(device, layer.exe);
  layer.exe.destroy();
  const scans = kernels.filter((k) => k.kind === 'scan-fused');
  const scanBytes = scans.reduce((sum, k) => sum + k.boundBytes, 0);
  const scanMs = scans.reduce((sum, k) => sum + k.msPerCall, 0);
  const gbps = scanBytes / (timing.ms_median / 1e3) / 1e9;
  const scanGbps = scanBytes / (scanMs / 1e3) / 1e9;
  ctx.log(`  LIF fwd+bwd T = ${T}, N = ${N}: ${gbps.toFixed(2)} GB/s = ${((100 * gbps) / copyGbps).toFixed(0)}% of copy (scan kernels alone ${((100 * scanGbps) / copyGbps).toFixed(0)}%)`);
  return [
    row(LIF_BANDWIDTH_WORKLOAD, 'spikeflow', adapterInfo, { T, N }, timing, {
      scan_kernels: scans.length,
      scan_bytes: scanBytes,
      gbps,
      copy_gbps: copyGbps,
      fraction_of_copy: gbps / copyGbps,
      scan_ms: scanMs,
      scan_gbps: scanGbps,
      scan_fraction_of_copy: scanGbps / copyGbps,
    }),
    ...(ctx.config.profile ? kernelRows(LIF_BANDWIDTH_WORKLOAD, adapterInfo, { T, N }, kernels) : []),
  ];
}

export const deviceLimitsSuite: Suite = {
  id: 'w3',
  title: 'W3 device limits: matmul, copy, LIF bandwidth',
  async run(ctx) {
    const matmul = await matmulRows(ctx);
    const copy = await copyRows(ctx);
    const copyGbps = Math.max(...copy.map((r) => Number(r.gbps)));
    return [...matmul, ...copy, ...(await lifBandwidthRows(ctx, copyGbps))];
  },
};
