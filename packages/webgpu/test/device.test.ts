// acquireDevice, the device context and selectBackend against a fake WebGPU, so every path runs without a GPU.
import { SpikeflowError } from '@spikeflow/core';
import { describe, expect, it, vi } from 'vitest';
import { acquireDevice, selectBackend } from '../src/device/index.js';

interface FakeOptions {
  readonly adapter?: boolean;
  readonly limits?: Record<string, number>;
  readonly features?: readonly string[];
  /** Features the adapter lists but refuses to grant. */
  readonly refuses?: readonly string[];
}

/** A fake GPU whose adapter reports `limits` and whose device records what it was asked for and can be lost on demand. */
function fakeGpu(options: FakeOptions = {}) {
  const limits = {
    maxStorageBufferBindingSize: 1 << 30,
    maxBufferSize: 2 ** 32 - 1,
    maxComputeWorkgroupStorageSize: 32768,
    maxStorageBuffersPerShaderStage: 16,
    maxComputeInvocationsPerWorkgroup: 1024,
    maxComputeWorkgroupSizeX: 1024,
    maxComputeWorkgroupSizeY: 1024,
    minStorageBufferOffsetAlignment: 256,
    ...options.limits,
  };
  let loseDevice: (info: GPUDeviceLostInfo) => void = () => {};
  const device = {
    limits,
    lost: new Promise<GPUDeviceLostInfo>((resolve) => (loseDevice = resolve)),
    onuncapturederror: null as ((event: GPUUncapturedErrorEvent) => void) | null,
  };
  const requested: GPUDeviceDescriptor[] = [];
  const adapter = {
    limits,
    ...(options.features === undefined ? {} : { features: new Set(options.features) }),
    info: { vendor: 'acme', architecture: 'rocket', description: '' },
    requestDevice: async (descriptor: GPUDeviceDescriptor) => {
      requested.push(descriptor);
      const refused = [...(descriptor.requiredFeatures ?? [])].filter((f) => options.refuses?.includes(f));
      if (refused.length > 0) throw new TypeError(`unsupported features: ${refused.join(', ')}`);
      return device;
    },
  };
  const gpu = { requestAdapter: async () => (options.adapter === false ? null : adapter) } as unknown as GPU;
  return { gpu, device, requested, lose: (reason: GPUDeviceLostReason, message = '') => loseDevice({ reason, message } as GPUDeviceLostInfo) };
}

async function deviceError(promise: Promise<unknown>): Promise<SpikeflowError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpikeflowError);
  expect((error as SpikeflowError).code).toBe('device');
  return error as SpikeflowError;
}

describe('acquireDevice', () => {
  it('enables subgroups where the adapter has them, unless asked not to, and asks for no feature otherwise', async () => {
    const withSubgroups = fakeGpu({ features: ['subgroups', 'timestamp-query'] });
    await acquireDevice({ gpu: withSubgroups.gpu });
    await acquireDevice({ gpu: withSubgroups.gpu, subgroups: false });
    expect(withSubgroups.requested.map((d) => d.requiredFeatures)).toEqual([['subgroups'], []]);
    const without = fakeGpu({ features: ['timestamp-query'] });
    await acquireDevice({ gpu: without.gpu });
    expect(without.requested[0]!.requiredFeatures).toEqual([]);
  });

  it('still gives a device when the adapter lists subgroups but refuses them', async () => {
    const fake = fakeGpu({ features: ['subgroups'], refuses: ['subgroups'] });
    const ctx = await acquireDevice({ gpu: fake.gpu });
    expect(ctx.device).toBe(fake.device);
    expect(fake.requested.map((d) => d.requiredFeatures)).toEqual([['subgroups'], []]);
  });

  it('says what to do when there is no WebGPU at all', async () => {
    vi.stubGlobal('navigator', {});
    try {
      const error = await deviceError(acquireDevice());
      expect(error.where).toBe('navigator.gpu');
      expect(error.message).toMatch(/acquireNodeDevice/);
      expect(error.message).toMatch(/--unstable-webgpu/);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('says what was tried and how to get an adapter when there is none', async () => {
    const { gpu } = fakeGpu({ adapter: false });
    const error = await deviceError(acquireDevice({ gpu, powerPreference: 'high-performance' }));
    expect(error.where).toBe('requestAdapter');
    expect(error.message).toMatch(/options\.gpu\.requestAdapter\(\{ powerPreference: 'high-performance' \}\)/);
    expect(error.message).toMatch(/Mesa >= 25/);
    expect(error.message).toMatch(/scripts\/setup\.sh/);
    expect(error.message).toMatch(/--enable-unsafe-webgpu/);
  });

  it("asks for the adapter's maximum of the raised limits and describes the adapter", async () => {
    const { gpu, requested } = fakeGpu();
    const ctx = await acquireDevice({ gpu });
    expect(requested[0]!.requiredLimits).toEqual({
      maxStorageBufferBindingSize: 1 << 30,
      maxBufferSize: 2 ** 32 - 1,
      maxComputeWorkgroupStorageSize: 32768,
      maxStorageBuffersPerShaderStage: 16,
      maxComputeInvocationsPerWorkgroup: 1024,
      maxComputeWorkgroupSizeX: 1024,
    });
    expect(ctx.adapterInfo).toBe('acme / rocket');
  });

  it("lets the caller's limits take precedence and checks them against the adapter", async () => {
    const { gpu, requested } = fakeGpu();
    await acquireDevice({ gpu, requiredLimits: { maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 512, minStorageBufferOffsetAlignment: 512 } });
    expect(requested[0]!.requiredLimits).toMatchObject({ maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 512, minStorageBufferOffsetAlignment: 512 });

    const tooBig = await deviceError(acquireDevice({ gpu, requiredLimits: { maxBufferSize: 2 ** 40 } }));
    expect(tooBig.where).toBe('requiredLimits.maxBufferSize');
    expect(tooBig.expected).toBe(`<= ${2 ** 32 - 1}`);
    const tooFine = await deviceError(acquireDevice({ gpu, requiredLimits: { minStorageBufferOffsetAlignment: 64 } }));
    expect(tooFine.expected).toBe('>= 256');
    const unknown = await deviceError(acquireDevice({ gpu, requiredLimits: { maxWarpDrive: 9 } }));
    expect(unknown.where).toBe('requiredLimits.maxWarpDrive');
    expect(requested).toHaveLength(1);
  });
});

describe('the device context', () => {
  it('rejects pending work with a device error once the device is lost', async () => {
    const { gpu, lose } = fakeGpu();
    const ctx = await acquireDevice({ gpu });
    await expect(ctx.raceLost(Promise.resolve(7))).resolves.toBe(7);
    const pending = ctx.raceLost(new Promise<never>(() => {}));
    lose('unknown', 'driver reset');
    const error = await deviceError(pending);
    expect(error.message).toMatch(/device was lost \(driver reset\)/);
    expect(await ctx.lost).toBe(error);
    expect(ctx.lostError()).toBe(error);
    // Work started after the loss fails at once.
    await deviceError(ctx.raceLost(new Promise<never>(() => {})));
  });

  it('records uncaptured errors with their kind, keeps a bounded number and clears them when taken', async () => {
    const { gpu, device } = fakeGpu();
    const ctx = await acquireDevice({ gpu });
    class GPUOutOfMemoryError {
      constructor(readonly message: string) {}
    }
    const raise = (message: string) => device.onuncapturederror!({ error: new GPUOutOfMemoryError(message) } as unknown as GPUUncapturedErrorEvent);
    raise('buffer too big');
    expect(ctx.takeErrors().map((e) => e.message)).toEqual(["[device] at 'device': uncaptured GPU out-of-memory error: buffer too big"]);
    expect(ctx.takeErrors()).toEqual([]);
    for (let i = 0; i < 70; i++) raise(`#${i}`);
    const taken = ctx.takeErrors();
    expect(taken).toHaveLength(65);
    expect(taken[64]!.message).toMatch(/6 more uncaptured GPU errors were dropped/);
  });
});

describe('selectBackend', () => {
  it('falls back to the CPU with the reason when there is no adapter', async () => {
    const backend = await selectBackend({ gpu: fakeGpu({ adapter: false }).gpu });
    expect(backend.kind).toBe('cpu');
    if (backend.kind === 'cpu') expect(backend.reason).toMatch(/found no WebGPU adapter/);
  });

  it('rethrows when WebGPU is required', async () => {
    await deviceError(selectBackend({ gpu: fakeGpu({ adapter: false }).gpu, requireWebGPU: true }));
  });

  it('rethrows errors that are not about the device', async () => {
    const acquire = () => Promise.reject(new TypeError('a bug'));
    await expect(selectBackend({ acquire })).rejects.toThrow(TypeError);
  });

  it('returns the device when there is one', async () => {
    const backend = await selectBackend({ gpu: fakeGpu().gpu });
    expect(backend.kind).toBe('webgpu');
    if (backend.kind === 'webgpu') expect(backend.ctx.adapterInfo).toBe('acme / rocket');
  });
});
