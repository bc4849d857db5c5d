/**
 * Old against new kernels, interleaved in one process (A, B, A, B, ...) so a busy machine slows
 * both alike: the tiled matmul against the register-blocked one, and the scalar elementwise
 * y = 2x against the vec4 one. Prints the best and median GFLOP/s or GB/s of each and the load.
 * Usage: tsx bench/kernel-ab.ts [rounds]
 */
import { readFileSync } from 'node:fs';
import { sizeOf, trace, type Shape } from '@spikeflow/core';
import { matmulKernel } from '../packages/webgpu/src/codegen/matmul.js';
import { matmulRegisterKernel, REGISTER_TILING } from '../packages/webgpu/src/codegen/matmul-register.js';
import { matmulDims } from '../packages/webgpu/src/codegen/matmul-skinny.js';
import { elementwiseKernel } from '../packages/webgpu/src/codegen/elementwise.js';
import type { BufferBinding, KernelSource } from '../packages/webgpu/src/codegen/kernel-source.js';
import { acquireNodeDevice } from '../packages/webgpu/src/node.js';
import { rawKernel, storageBuffer } from './src/gpu/raw-kernel.js';

const rounds = Number(process.argv[2] ?? 6);
const { device } = await acquireNodeDevice();
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface Timed {
  readonly name: string;
  readonly run: () => Promise<void>;
  readonly ms: number[];
}

async function timed(name: string, source: KernelSource, sizes: readonly number[], dispatches: number): Promise<Timed> {
  const kernel = await rawKernel(device, source.code, source.bindings.map((b) => b.access));
  const buffers = sizes.map((n) => storageBuffer(device, 4 * n));
  // A kernel that reads its sizes from a size table binds it last (see KernelSizes).
  if ((source.sizes?.length ?? 0) > 0) {
    const table = storageBuffer(device, 4 * source.sizes!.length);
    device.queue.writeBuffer(table, 0, new Uint32Array(source.sizes!));
    buffers.push(table);
  }
  const group = device.createBindGroup({ layout: kernel.layout0, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const run = async () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, group);
    for (let k = 0; k < dispatches; k++) pass.dispatchWorkgroups(...source.workgroups);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run(); // warm-up
  return { name, run, ms: [] };
}

async function interleave(label: string, variants: Timed[], work: number, unit: string) {
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const t0 = performance.now();
      await v.run();
      v.ms.push(performance.now() - t0);
    }
  }
  const rate = (ms: number) => (work / (ms / 1e3) / 1e9).toFixed(2);
  const parts = variants.map((v) => {
    const sorted = [...v.ms].sort((x, y) => x - y);
    return `${v.name} best ${rate(sorted[0]!)} median ${rate(sorted[Math.floor(sorted.length / 2)]!)}`;
  });
  console.log(`${label} (${unit}; load ${load()}): ${parts.join(' | ')}`);
}

const binding = (name: string, shape: Shape, access: 'read' | 'read_write' = 'read'): BufferBinding => ({ name, access, type: { shape, dtype: 'f32' }, stepStride: 0 });

const matmuls: [Shape, Shape, boolean, boolean][] = [
  [[256, 256], [256, 256], false, false],
  [[1024, 1024], [1024, 1024], false, false],
  [[512, 784], [784, 256], false, false],
  [[64, 784], [784, 256], false, false],
  [[784, 512], [512, 256], true, false],
  [[512, 256], [784, 256], false, true],
];
for (const [aShape, bShape, transposeA, transposeB] of matmuls) {
  const a = binding('a', aShape);
  const b = binding('b', bShape);
  const dims = matmulDims(a, b, transposeA, transposeB);
  const out = binding('out', [...dims.batch, dims.m, dims.n], 'read_write');
  const args = { label: 'mm', a, b, out, transposeA, transposeB };
  const sizes = [sizeOf(aShape), sizeOf(bShape), sizeOf(out.type.shape)];
  const flops = 2 * dims.m * dims.n * dims.k * sizeOf(dims.batch);
  const times = Math.max(1, Math.round(2e9 / flops));
  const variants = [await timed('tiled', matmulKernel(args), sizes, times), await timed('register 8x8', matmulRegisterKernel(args, dims, REGISTER_TILING), sizes, times), await timed('register 8x32', matmulRegisterKernel(args, dims, { threadsM: 8, threadsN: 32 }), sizes, times)];
  await interleave(`[${aShape}]${transposeA ? 'ᵀ' : ''} @ [${bShape}]${transposeB ? 'ᵀ' : ''}`, variants, flops * times, 'GFLOP/s');
}

const elements = 16 * 1024 * 1024;
const graph = trace((g) => ({ y: g.input('x', [elements]).mul(2) }));
const root = graph.outputs[0]!.node;
const members = Object.keys(graph.nodes).filter((id) => graph.nodes[id]!.op !== 'input');
const vec4 = elementwiseKernel(graph, root, members, graph.inputs);
// The kernel before vectorising: one element per thread, scalar store (the same value functions).
const rootFn = /lanes\[x\] = (v\d+)\(/.exec(vec4.code)![1]!;
const scalarCode = vec4.code
  .replace(/array<vec4<f32>>/, 'array<f32>')
  .replace(/let t = [^\n]*\n[^]*\n}$/, `let i = (wid.x + wid.y * nwg.x) * 256u + lid;\n  if (i >= ${elements}u) { return; }\n  out[i] = ${rootFn}(i);\n}`);
const scalar: KernelSource = { ...vec4, code: scalarCode, workgroups: [Math.ceil(elements / 256 / 2), 2, 1] };
const copies = 4;
const ew = [await timed('scalar', scalar, [elements, elements], copies), await timed('vec4', vec4, [elements, elements], copies)];
await interleave('y = 2x, 16M floats', ew, 8 * elements * copies, 'GB/s');
process.exit(0);
