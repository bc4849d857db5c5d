import { fail } from '@spikeflow/core';
import type { KernelSource } from '../codegen/kernel-source.js';

export interface CompiledKernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout0: GPUBindGroupLayout;
  readonly layout1: GPUBindGroupLayout | undefined;
}

/** Pipelines cached per device by WGSL source: one shader is compiled once, however many graphs use it. */
const caches = new WeakMap<GPUDevice, Map<string, Promise<CompiledKernel>>>();

/**
 * Rejects a kernel whose workgroup exceeds the device's limits, naming the node it computes,
 * before anything is dispatched (the generators write `@workgroup_size(x[, y[, z]])`).
 */
export function checkWorkgroup(limits: GPUSupportedLimits, source: KernelSource): void {
  const match = /@workgroup_size\(([^)]*)\)/.exec(source.code);
  if (match === null) throw new Error(`internal: kernel '${source.label}' declares no workgroup size`);
  const [x = 1, y = 1, z = 1] = match[1]!.split(',').map((d) => Number.parseInt(d, 10));
  const invocations = x * y * z;
  if (invocations > limits.maxComputeInvocationsPerWorkgroup || x > limits.maxComputeWorkgroupSizeX || y > limits.maxComputeWorkgroupSizeY || z > limits.maxComputeWorkgroupSizeZ) {
    fail('device', source.label, `the ${source.kind} kernel needs a ${x}x${y}x${z} workgroup, more than this device allows`, `<= ${limits.maxComputeInvocationsPerWorkgroup} invocations, x <= ${limits.maxComputeWorkgroupSizeX}`, `${invocations} invocations`);
  }
  const [wx, wy, wz] = source.workgroups;
  const most = Math.max(wx, wy, wz);
  if (most > limits.maxComputeWorkgroupsPerDimension) {
    fail('device', source.label, `the ${source.kind} kernel needs ${most} workgroups in one dimension`, `<= ${limits.maxComputeWorkgroupsPerDimension}`, `${most}`);
  }
}

async function create(device: GPUDevice, source: KernelSource): Promise<CompiledKernel> {
  checkWorkgroup(device.limits, source);
  const layout0 = device.createBindGroupLayout({
    entries: source.bindings.map((b, i) => ({
      binding: i,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' },
    })),
  });
  const layout1 = source.usesStep
    ? device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } }] })
    : undefined;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: source.code, label: source.kind });
  const pipeline = await device.createComputePipelineAsync({
    layout: device.createPipelineLayout({ bindGroupLayouts: layout1 ? [layout0, layout1] : [layout0] }),
    compute: { module, entryPoint: 'main' },
  }).catch((e: unknown) => e as Error);
  const error = await device.popErrorScope();
  if (error !== null || pipeline instanceof Error) {
    const info = await module.getCompilationInfo();
    const messages = info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
    fail('device', source.label, `the generated ${source.kind} kernel was rejected by the device: ${error?.message ?? (pipeline as Error).message} ${messages}`);
  }
  return { pipeline, layout0, layout1 };
}

export function compiledKernel(device: GPUDevice, source: KernelSource): Promise<CompiledKernel> {
  let cache = caches.get(device);
  if (cache === undefined) caches.set(device, (cache = new Map()));
  let hit = cache.get(source.code);
  if (hit === undefined) {
    hit = create(device, source);
    cache.set(source.code, hit);
    hit.catch(() => cache!.delete(source.code));
  }
  return hit;
}
