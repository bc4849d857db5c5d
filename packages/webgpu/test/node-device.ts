import { SpikeflowError } from '@spikeflow/core';
import type { GpuContext } from '../src/device/index.js';
import { acquireNodeDevice } from '../src/node.js';
import { WEBGPU_REQUIRED, webgpuSkipReason } from './webgpu-required.js';

/** A dawn.node device, or why there is none. */
export type NodeDevice = { readonly ctx: GpuContext } | { readonly reason: string };

/**
 * The device for a WebGPU suite. When this run skips the WebGPU suites (a software adapter without
 * SPIKEFLOW_REQUIRE_WEBGPU=1, see webgpu-probe.ts) there is none, and dawn.node is not even loaded.
 * Only a device error means "no WebGPU here"; anything else is a bug and throws.
 */
export function tryNodeDevice(): Promise<NodeDevice> {
  const skip = webgpuSkipReason();
  if (skip !== null) return Promise.resolve({ reason: skip });
  return acquireNodeDevice().then(
    (ctx) => ({ ctx }),
    (error: unknown) => {
      if (error instanceof SpikeflowError && error.code === 'device') return { reason: error.message };
      throw error;
    },
  );
}

/**
 * For `it.skipIf`: true only when there is no device and SPIKEFLOW_REQUIRE_WEBGPU is not 1. CI sets
 * it, so there the tests run and fail through `deviceOf`. The run's skip reason was printed once
 * already; any other reason is printed here.
 */
export function skipWithoutDevice(acquired: NodeDevice, what: string): boolean {
  if (!('reason' in acquired) || WEBGPU_REQUIRED) return false;
  if (acquired.reason !== webgpuSkipReason()) console.warn(`skipping ${what}: ${acquired.reason}`);
  return true;
}

/** The device, or a failure saying why there is none. */
export function deviceOf(acquired: NodeDevice): GpuContext {
  if ('reason' in acquired) throw new Error(acquired.reason);
  return acquired.ctx;
}
