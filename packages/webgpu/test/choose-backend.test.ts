// chooseTrainBackend's decisions with fake adapters and a fake WebAssembly backend: every case
// (hardware, software, no device, each preference, requireWebGPU) without a GPU.
import { fail, SpikeflowError, type TrainBackend } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { chooseTrainBackend, describeChoice, parseBackendPreference, type ChooseBackendOptions, type WasmOffer } from '../src/device/index.js';
import { createGpuContext, type GpuContext } from '../src/device/context.js';
import type { AdapterFacts } from '../src/device/software-adapter.js';

const LAVAPIPE: AdapterFacts = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' };
const SWIFTSHADER: AdapterFacts = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' };
const H100: AdapterFacts = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false };

/** A device context on a fake device that counts its destroy() calls, as `acquire` would return it. */
function fakeAcquire(facts: AdapterFacts) {
  const device = { destroyed: 0, limits: {}, lost: new Promise<GPUDeviceLostInfo>(() => {}), onuncapturederror: null, destroy() { this.destroyed++; } };
  const calls: unknown[] = [];
  const acquire = async (options: unknown): Promise<GpuContext> => {
    calls.push(options);
    return createGpuContext(device as unknown as GPUDevice, `${facts.vendor} / ${facts.description}`, facts);
  };
  return { acquire, device, calls };
}

const noDevice = async (): Promise<GpuContext> => fail('device', 'requestAdapter', 'navigator.gpu.requestAdapter() found no WebGPU adapter. On Linux without a GPU, install lavapipe.');

/** A WebAssembly offer whose backend is a marker object; counts how often it was made. */
function fakeWasm(threads = 2, limitation?: string) {
  const backend: TrainBackend = { name: 'wasm', compileTrainStep: () => Promise.reject(new Error('unused')), compile: () => Promise.reject(new Error('unused')) };
  const offer = { created: 0, threads, ...(limitation === undefined ? {} : { limitation }), create() { offer.created++; return backend; } };
  return { offer: offer as WasmOffer & { created: number }, backend };
}

function choose(options: ChooseBackendOptions) {
  return chooseTrainBackend(options);
}

describe('chooseTrainBackend, auto', () => {
  it('takes WebGPU on a hardware adapter and leaves the WebAssembly backend unmade', async () => {
    const gpu = fakeAcquire(H100);
    const wasm = fakeWasm();
    const chosen = await choose({ acquire: gpu.acquire, wasm: wasm.offer });
    expect(chosen.kind).toBe('webgpu');
    expect(chosen.backend.name).toBe('webgpu');
    expect(chosen.reason).toBe('a hardware WebGPU adapter');
    expect(wasm.offer.created).toBe(0);
    expect(gpu.device.destroyed).toBe(0);
    expect(describeChoice(chosen)).toBe('backend: webgpu (nvidia / NVIDIA H100 80GB HBM3) — a hardware WebGPU adapter');
  });

  it('takes the WebAssembly backend on lavapipe and SwiftShader, naming the renderer, and frees the device', async () => {
    for (const [facts, name] of [[LAVAPIPE, 'llvmpipe'], [SWIFTSHADER, 'SwiftShader']] as const) {
      const gpu = fakeAcquire(facts);
      const wasm = fakeWasm(2);
      const chosen = await choose({ acquire: gpu.acquire, wasm: wasm.offer });
      expect(chosen.kind).toBe('wasm');
      expect(chosen.backend).toBe(wasm.backend);
      expect(wasm.offer.created).toBe(1);
      expect(gpu.device.destroyed).toBe(1);
      expect(describeChoice(chosen)).toBe(`backend: wasm (2 threads) — WebGPU adapter is software (${name}); the WebAssembly backend is faster here`);
    }
  });

  it('keeps a software adapter when no WebAssembly backend is offered, and says so', async () => {
    const gpu = fakeAcquire(LAVAPIPE);
    const chosen = await choose({ acquire: gpu.acquire });
    expect(chosen.kind).toBe('webgpu');
    expect(chosen.reason).toBe('WebGPU adapter is software (llvmpipe), and this program offers no WebAssembly backend');
    expect(gpu.device.destroyed).toBe(0);
  });

  it('takes the WebAssembly backend without a WebGPU device, with the failed call as the reason', async () => {
    const wasm = fakeWasm(1, 'single-threaded: the page is not cross-origin isolated');
    const chosen = await choose({ acquire: noDevice, wasm: wasm.offer });
    expect(chosen.kind).toBe('wasm');
    expect(describeChoice(chosen)).toBe(
      'backend: wasm (1 thread) — no WebGPU device (navigator.gpu.requestAdapter() found no WebGPU adapter); single-threaded: the page is not cross-origin isolated',
    );
  });

  it('falls back to the CPU interpreter, with the whole device error, only when nothing else is offered', async () => {
    const chosen = await choose({ acquire: noDevice });
    expect(chosen.kind).toBe('cpu');
    expect(chosen.backend.name).toBe('cpu');
    expect(chosen.reason).toMatch(/^no WebGPU device and no WebAssembly backend offered: .*found no WebGPU adapter\. On Linux without a GPU, install lavapipe\.$/);
  });

  it('rethrows errors that are not about the device', async () => {
    await expect(choose({ acquire: () => Promise.reject(new TypeError('a bug')), wasm: fakeWasm().offer })).rejects.toThrow(TypeError);
  });
});

describe('chooseTrainBackend, requireWebGPU', () => {
  it('keeps WebGPU on a software adapter, as CI on lavapipe needs', async () => {
    const gpu = fakeAcquire(LAVAPIPE);
    const wasm = fakeWasm();
    const chosen = await choose({ acquire: gpu.acquire, wasm: wasm.offer, requireWebGPU: true });
    expect(chosen.kind).toBe('webgpu');
    expect(chosen.reason).toBe('WebGPU is required (requireWebGPU), on a software adapter (llvmpipe)');
    expect(wasm.offer.created).toBe(0);
    expect(gpu.device.destroyed).toBe(0);
  });

  it('fails without a device instead of falling back', async () => {
    const error = await choose({ acquire: noDevice, wasm: fakeWasm().offer, requireWebGPU: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).code).toBe('device');
  });
});

describe('chooseTrainBackend, an explicit preference', () => {
  it('webgpu: taken on any adapter, naming the source; no fallback without a device', async () => {
    const gpu = fakeAcquire(LAVAPIPE);
    const chosen = await choose({ acquire: gpu.acquire, wasm: fakeWasm().offer, prefer: 'webgpu', preferSource: '--backend' });
    expect(chosen.kind).toBe('webgpu');
    expect(chosen.reason).toBe('asked for by --backend=webgpu, on a software adapter (llvmpipe)');
    expect((await choose({ acquire: fakeAcquire(H100).acquire, prefer: 'webgpu', preferSource: '--backend' })).reason).toBe('asked for by --backend=webgpu; a hardware adapter');
    await expect(choose({ acquire: noDevice, wasm: fakeWasm().offer, prefer: 'webgpu' })).rejects.toThrow(/found no WebGPU adapter/);
  });

  it('wasm: taken without asking for a WebGPU device, even on a hardware adapter and under requireWebGPU', async () => {
    const gpu = fakeAcquire(H100);
    const wasm = fakeWasm(4);
    const chosen = await choose({ acquire: gpu.acquire, wasm: wasm.offer, prefer: 'wasm', preferSource: 'SPIKEFLOW_BACKEND', requireWebGPU: true });
    expect(chosen.kind).toBe('wasm');
    expect(describeChoice(chosen)).toBe('backend: wasm (4 threads) — asked for by SPIKEFLOW_BACKEND=wasm');
    expect(gpu.calls).toEqual([]);
  });

  it('wasm: refused with one error naming the source when the program offers none', async () => {
    const error = await choose({ acquire: fakeAcquire(H100).acquire, prefer: 'wasm', preferSource: '?backend' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).where).toBe('?backend');
    expect((error as SpikeflowError).message).toMatch(/offers no WebAssembly backend/);
  });

  it('cpu: the reference interpreter, without asking for a WebGPU device', async () => {
    const gpu = fakeAcquire(H100);
    const chosen = await choose({ acquire: gpu.acquire, wasm: fakeWasm().offer, prefer: 'cpu', preferSource: '--backend' });
    expect(chosen.kind).toBe('cpu');
    expect(describeChoice(chosen)).toBe('backend: cpu (the reference interpreter) — asked for by --backend=cpu');
    expect(gpu.calls).toEqual([]);
  });
});

describe('parseBackendPreference', () => {
  it('accepts the four choices and refuses anything else with one error naming the source', () => {
    for (const value of ['auto', 'webgpu', 'wasm', 'cpu']) expect(parseBackendPreference(value, '--backend')).toBe(value);
    for (const bad of ['', 'WASM', 'gpu', 'toString', '__proto__']) {
      let error: unknown;
      try {
        parseBackendPreference(bad, '--backend');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SpikeflowError);
      expect((error as SpikeflowError).where).toBe('--backend');
      expect((error as SpikeflowError).message).toContain(`unknown backend '${bad}'`);
      expect((error as SpikeflowError).message).toContain('auto, webgpu, wasm, cpu');
    }
  });
});
