import { sizeOf, type DType } from '@spikeflow/core';
import { expect, type TestContext } from 'vitest';
import type { BufferBinding, KernelSource } from '../../src/codegen/kernel-source.js';
import { compiledKernel } from '../../src/runtime/pipelines.js';
import { tryNodeDevice, type NodeDevice } from '../node-device.js';
import { unavailable } from '../webgpu-required.js';
import { testData } from '../../../../test/support/test-data.js';

/**
 * Test support until the executable exists: a Node WebGPU device (dawn.node; lavapipe on a machine
 * without a GPU) and one generated kernel run on it with host data.
 */

export type KernelData = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

let acquired: Promise<NodeDevice> | undefined;

/** The shared test device; without one the test skips, or fails where CI requires WebGPU. */
export async function gpuOrSkip(ctx: TestContext): Promise<GPUDevice> {
  const result = await (acquired ??= tryNodeDevice());
  return 'ctx' in result ? result.ctx.device : unavailable(ctx, result.reason);
}

function readBackAs(type: BufferBinding['type'], bytes: ArrayBuffer): KernelData {
  if (type.dtype === 'f32') return new Float32Array(bytes);
  if (type.dtype === 'i32') return new Int32Array(bytes);
  return new Uint32Array(bytes);
}

/**
 * Runs `source` once: `data[k]` fills binding k (absent: zeros, sized from the binding's type);
 * `step` feeds the step uniform. Returns every binding's contents afterwards.
 */
export async function runKernel(device: GPUDevice, source: KernelSource, data: readonly (KernelData | undefined)[], step = 0): Promise<KernelData[]> {
  const { pipeline, layout0, layout1 } = await compiledKernel(device, source);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const tableAt = (source.sizes?.length ?? 0) > 0 ? source.bindings.length - 1 : -1;
  const buffers = source.bindings.map((b, k) => {
    // The kernel's size table is filled from its sizes unless the test gives it.
    const init = data[k] ?? (k === tableAt ? new Uint32Array(source.sizes!) : undefined);
    const buffer = device.createBuffer({ size: Math.max(4, init?.byteLength ?? sizeOf(b.type.shape) * 4), usage });
    if (init !== undefined && init.byteLength > 0) device.queue.writeBuffer(buffer, 0, init);
    return buffer;
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: layout0, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) }));
  if (layout1 !== undefined) {
    const uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(uniform, 0, new Uint32Array([step, 0, 0, 0]));
    pass.setBindGroup(1, device.createBindGroup({ layout: layout1, entries: [{ binding: 0, resource: { buffer: uniform, size: 16 } }] }), [0]);
  }
  pass.dispatchWorkgroups(...source.workgroups);
  pass.end();
  const staging = buffers.map((b) => device.createBuffer({ size: b.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }));
  buffers.forEach((b, k) => encoder.copyBufferToBuffer(b, 0, staging[k]!, 0, b.size));
  device.queue.submit([encoder.finish()]);
  return Promise.all(
    staging.map(async (s, k) => {
      await s.mapAsync(GPUMapMode.READ);
      const bytes = s.getMappedRange().slice(0);
      s.destroy();
      buffers[k]!.destroy();
      return readBackAs(source.bindings[k]!.type, bytes);
    }),
  );
}

/** Elementwise |actual - expected| <= atol + rtol·|expected|, reporting the first offender; NaN matches NaN. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i]!, expected[i]!];
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e)) continue;
    expect.fail(`element ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  }
}

/** A storage binding of a tensor for hand-built kernels. */
export function binding(name: string, shape: readonly number[], access: BufferBinding['access'] = 'read', dtype: DType = 'f32', stepStride = 0): BufferBinding {
  return { name, access, type: { shape, dtype }, stepStride };
}

/** Deterministic test data in [lo, hi) (mulberry32), independent of the framework's RNG. */
export function randomData(size: number, seed: number, lo = -1, hi = 1): Float32Array<ArrayBuffer> {
  return Float32Array.from(testData(seed, size, lo, hi));
}
