/**
 * '@spikeflow/webgpu/node': WebGPU in Node through the `webgpu` npm package (Dawn's dawn.node).
 * Kept out of the main entry so browser and Deno bundles never pull in the native addon.
 */
import { fail } from '@spikeflow/core';
import { acquireDevice, chooseTrainBackend, selectBackend, type AcquireOptions, type Backend, type ChooseBackendOptions, type ChosenBackend, type GpuContext, type SelectBackendOptions } from './device/index.js';

// Also what keeps dawn.node's GPU alive: if it is garbage-collected while its devices are in use,
// Dawn crashes the process (SIGSEGV or abort at the next mapAsync), so it is held for good.
let loading: Promise<GPU> | undefined;

/** dawn.node's GPU, loaded once and never released; its WebGPU classes and constants (GPUBufferUsage, ...) become globals as in a browser. */
export function nodeGpu(): Promise<GPU> {
  loading ??= loadDawn().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function loadDawn(): Promise<GPU> {
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (error) {
    fail(
      'device',
      'webgpu',
      "cannot load dawn.node from the 'webgpu' npm package (it ships binaries for linux-x64, linux-arm64, " +
        'darwin and win32 only). Reinstall dependencies, or use the CPU backend through selectNodeBackend()',
      undefined,
      error instanceof Error ? error.message : String(error),
    );
  }
  Object.assign(globalThis, dawn.globals);
  return dawn.create([]);
}

/** acquireDevice on dawn.node. */
export async function acquireNodeDevice(options: Omit<AcquireOptions, 'gpu'> = {}): Promise<GpuContext> {
  return acquireDevice({ ...options, gpu: await nodeGpu() });
}

/** selectBackend on dawn.node: a failure to load dawn.node falls back to the CPU like a missing adapter. */
export function selectNodeBackend(options: Omit<SelectBackendOptions, 'gpu' | 'acquire'> = {}): Promise<Backend> {
  return selectBackend({ ...options, acquire: acquireNodeDevice });
}

/**
 * chooseTrainBackend on dawn.node: a failure to load dawn.node counts as no WebGPU device. Pass
 * `wasm: { create: () => nodeWasmBackend(), threads: availableParallelism() }` to offer the
 * WebAssembly backend.
 */
export function chooseNodeBackend(options: Omit<ChooseBackendOptions, 'gpu' | 'acquire'> = {}): Promise<ChosenBackend> {
  return chooseTrainBackend({ ...options, acquire: acquireNodeDevice });
}
