import { SpikeflowError } from '@spikeflow/core';
import type { AdapterFacts } from './software-adapter.js';

/**
 * A WebGPU device with what spikeflow needs around it: device loss turned into a promise and a
 * rejection (so awaiting GPU work never hangs on a lost device) and uncaptured GPU errors
 * recorded (so the executable can surface them as SpikeflowErrors).
 */
export interface GpuContext {
  readonly device: GPUDevice;
  /** The adapter in words: vendor / architecture / description, as far as the runtime tells. */
  readonly adapterInfo: string;
  /** What the adapter says about itself, field by field (empty where unknown): enough to tell a software renderer. */
  readonly adapter: AdapterFacts;
  /** The limits the device was granted. */
  readonly limits: GPUSupportedLimits;
  /** Resolves (never rejects) with the error describing the loss once the device is lost or destroyed. */
  readonly lost: Promise<SpikeflowError>;
  /** The loss error if the device is already lost, for a synchronous check before encoding work. */
  lostError(): SpikeflowError | undefined;
  /** `promise`, unless the device is lost first: then a rejection with the loss error. */
  raceLost<T>(promise: Promise<T>): Promise<T>;
  /** Uncaptured GPU errors (validation, out-of-memory, internal) since the last call, oldest first; clears them. */
  takeErrors(): SpikeflowError[];
}

/** Uncaptured errors kept between two `takeErrors` calls; a buggy loop must not grow memory without bound. */
const MAX_RECORDED_ERRORS = 64;

/** Wraps a device: watches `device.lost` and installs `device.onuncapturederror`. */
export function createGpuContext(device: GPUDevice, adapterInfo: string, adapter: AdapterFacts = {}): GpuContext {
  let lostError: SpikeflowError | undefined;
  // Pending raceLost calls. Not Promise.race against one shared rejection: each race would leave a
  // reaction on it until the device is lost, a leak for an executable that races every step.
  const waiting = new Set<(error: SpikeflowError) => void>();
  const lost = device.lost.then((info) => {
    lostError = deviceLostError(info);
    for (const reject of waiting) reject(lostError);
    waiting.clear();
    return lostError;
  });

  function raceLost<T>(promise: Promise<T>): Promise<T> {
    if (lostError) {
      promise.catch(() => {});
      return Promise.reject(lostError);
    }
    return new Promise<T>((resolve, reject) => {
      waiting.add(reject);
      promise.then(
        (value) => {
          waiting.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          waiting.delete(reject);
          reject(error);
        },
      );
    });
  }

  let errors: SpikeflowError[] = [];
  let dropped = 0;
  device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
    if (errors.length < MAX_RECORDED_ERRORS) errors.push(uncapturedError(event.error));
    else dropped++;
  };

  return {
    device,
    adapterInfo,
    adapter,
    limits: device.limits,
    lost,
    lostError: () => lostError,
    raceLost,
    takeErrors() {
      const taken = errors;
      if (dropped > 0) {
        taken.push(new SpikeflowError({ code: 'device', where: 'device', message: `${dropped} more uncaptured GPU errors were dropped` }));
      }
      errors = [];
      dropped = 0;
      return taken;
    },
  };
}

function deviceLostError(info: GPUDeviceLostInfo): SpikeflowError {
  const message =
    info.reason === 'destroyed'
      ? 'the GPU device was destroyed; acquire a new one to run more work'
      : `the GPU device was lost${info.message ? ` (${info.message})` : ''}; work in flight is gone. Acquire a new device and compile again`;
  return new SpikeflowError({ code: 'device', where: 'device', message });
}

/** Error class names to the error-scope filter names users know them by. */
const ERROR_KINDS: Readonly<Record<string, string>> = {
  GPUValidationError: 'validation',
  GPUOutOfMemoryError: 'out-of-memory',
  GPUInternalError: 'internal',
};

function uncapturedError(error: GPUError): SpikeflowError {
  // The class name tells the kind; instanceof would need the GPU* classes as globals, which a custom GPU may not install.
  const kind = ERROR_KINDS[error.constructor.name] ?? 'unknown';
  return new SpikeflowError({ code: 'device', where: 'device', message: `uncaptured GPU ${kind} error: ${error.message}` });
}
