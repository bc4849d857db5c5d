import { fail } from '@spikeflow/core';
import type { KernelSource } from '../codegen/kernel-source.js';
import type { CompileProgressCallback } from './compile-progress.js';
import { warmUp } from './warm-up.js';

export interface CompiledKernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout0: GPUBindGroupLayout;
  readonly layout1: GPUBindGroupLayout | undefined;
}

interface CacheEntry {
  readonly kernel: Promise<CompiledKernel>;
  /** Whether `kernel` has resolved: a graph that needs it counts it as compiled from the start. */
  ready: boolean;
}

/** Pipelines cached per device by WGSL source: one shader is compiled once, however many graphs use it. */
const caches = new WeakMap<GPUDevice, Map<string, CacheEntry>>();
/** Pipelines created per device, for tests that check the cache spares a compile. */
const creations = new WeakMap<GPUDevice, number>();

/** How many compute pipelines this module has created on `device` (cache hits create none). */
export function pipelinesCreated(device: GPUDevice): number {
  return creations.get(device) ?? 0;
}

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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function create(device: GPUDevice, source: KernelSource): Promise<CompiledKernel> {
  checkWorkgroup(device.limits, source);
  // Every call that can raise a validation error runs between push and pop, with no await in
  // between: other kernels compile concurrently, and error scopes are one stack per device.
  device.pushErrorScope('validation');
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
  const module = device.createShaderModule({ code: source.code, label: source.kind });
  const layout = device.createPipelineLayout({ bindGroupLayouts: layout1 ? [layout0, layout1] : [layout0] });
  const scope = device.popErrorScope();
  creations.set(device, pipelinesCreated(device) + 1);
  // A pipeline the device rejects rejects this promise (a GPUPipelineError), not the error scope.
  const pipeline = await device.createComputePipelineAsync({ layout, compute: { module, entryPoint: 'main' } }).catch((e: unknown) => new Error(errorText(e)));
  const error = await scope;
  if (error !== null || pipeline instanceof Error) {
    const info = await module.getCompilationInfo();
    const messages = info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
    fail('device', source.label, `the generated ${source.kind} kernel was rejected by the device: ${error?.message ?? (pipeline as Error).message} ${messages}`);
  }
  await warmUp(device, { pipeline, layout0, storageBuffers: source.bindings.length, layout1 }).catch((e: unknown) =>
    fail('device', source.label, `the ${source.kind} kernel failed its first dispatch: ${errorText(e)}`),
  );
  return { pipeline, layout0, layout1 };
}

/** The pipeline of one kernel, from the device's cache or compiled (and warmed up) now. */
export function compiledKernel(device: GPUDevice, source: KernelSource): Promise<CompiledKernel> {
  return cacheEntry(device, source).kernel;
}

function cacheEntry(device: GPUDevice, source: KernelSource): CacheEntry {
  let cache = caches.get(device);
  if (cache === undefined) caches.set(device, (cache = new Map()));
  let entry = cache.get(source.code);
  if (entry === undefined) {
    const kernel = create(device, source);
    const made: CacheEntry = { kernel, ready: false };
    kernel.then(
      () => (made.ready = true),
      () => cache.delete(source.code),
    );
    cache.set(source.code, (entry = made));
  }
  return entry;
}

/**
 * The pipelines of a graph's kernels, in the order of `sources`. Every compile is requested before
 * any is awaited, so a driver that compiles in parallel can; `onProgress` hears of each unique
 * pipeline as it becomes ready (see CompileProgress).
 */
export async function compiledKernels(device: GPUDevice, sources: readonly KernelSource[], onProgress?: CompileProgressCallback): Promise<CompiledKernel[]> {
  const unique = new Map<string, KernelSource>();
  for (const source of sources) if (!unique.has(source.code)) unique.set(source.code, source);
  const total = unique.size;
  // The first event goes out before any compile is requested: Dawn parses each shader as it is asked for.
  let done = [...unique.keys()].filter((code) => caches.get(device)?.get(code)?.ready === true).length;
  onProgress?.({ done, total });
  const entries = new Map([...unique].map(([code, source]) => [code, { source, entry: cacheEntry(device, source) }]));
  let failed = false; // after a failure the caller has its error; no more progress follows
  const report = (source: KernelSource) => (kernel: CompiledKernel) => {
    if (!failed) onProgress?.({ done: ++done, total, label: source.label });
    return kernel;
  };
  const compiled = await Promise.all(
    [...entries].map(async ([code, { source, entry }]) => [code, await (entry.ready ? entry.kernel : entry.kernel.then(report(source)))] as const),
  ).catch((error: unknown) => {
    failed = true;
    throw error;
  });
  const byCode = new Map(compiled);
  return sources.map((source) => byCode.get(source.code)!);
}
