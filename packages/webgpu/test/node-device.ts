import { SpikeflowError } from '@spikeflow/core';
import type { GpuContext } from '../src/device/index.js';
import { acquireNodeDevice } from '../src/node.js';
import { WEBGPU_REQUIRED } from './webgpu-required.js';

/** A dawn.node device, or why there is none. */
export type NodeDevice = { readonly ctx: GpuContext } | { readonly reason: string };

/** Only a device error means "no WebGPU here"; anything else is a bug and throws. */
export function tryNodeDevice(): Promise<NodeDevice> {
  return acquireNodeDevice().then(
    (ctx) => ({ ctx }),
    (error: unknown) => {
      if (error instanceof SpikeflowError && error.code === 'device') return { reason: error.message };
      throw error;
    },
  );
}

/**
 * For `it.skipIf`: true only when there is no device and SPIKEFLOW_REQUIRE_WEBGPU is not 1 (the
 * reason is printed). CI sets it, so there the tests run and fail through `deviceOf`.
 */
export function skipWithoutDevice(acquired: NodeDevice, what: string): boolean {
  if (!('reason' in acquired) || WEBGPU_REQUIRED) return false;
  console.warn(`skipping ${what}: ${acquired.reason}`);
  return true;
}

/** The device, or a failure saying why there is none. */
export function deviceOf(acquired: NodeDevice): GpuContext {
  if ('reason' in acquired) throw new Error(acquired.reason);
  return acquired.ctx;
}
