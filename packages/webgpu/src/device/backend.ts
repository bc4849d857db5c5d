import { SpikeflowError } from '@spikeflow/core';
import { acquireDevice, type AcquireOptions } from './acquire.js';
import type { GpuContext } from './context.js';

/** Where a graph runs: a WebGPU device, or the core CPU interpreter with the reason WebGPU was not available. */
export type Backend = { readonly kind: 'webgpu'; readonly ctx: GpuContext } | { readonly kind: 'cpu'; readonly reason: string };

export interface SelectBackendOptions extends AcquireOptions {
  /** Rethrow instead of falling back to the CPU when no WebGPU device can be had (CI sets this). */
  readonly requireWebGPU?: boolean;
  /** How to get the device; acquireDevice by default ('@spikeflow/webgpu/node' passes dawn.node's). */
  readonly acquire?: (options: AcquireOptions) => Promise<GpuContext>;
}

/**
 * WebGPU if a device can be had, else the explicit CPU fallback: correct but slow, so callers
 * should show `reason` to the user. Only device errors fall back; anything else is a bug and throws.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<Backend> {
  const { requireWebGPU = false, acquire = acquireDevice, ...acquireOptions } = options;
  try {
    return { kind: 'webgpu', ctx: await acquire(acquireOptions) };
  } catch (error) {
    if (requireWebGPU || !(error instanceof SpikeflowError && error.code === 'device')) throw error;
    return { kind: 'cpu', reason: error.message };
  }
}
