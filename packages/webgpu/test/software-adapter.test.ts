// Telling a software adapter from a hardware GPU (src/device/software-adapter.ts), which backend
// choice and the hardware benchmark's adapter check both use: the adapter infos below are what dawn.node reports for lavapipe here, and what the other renderers
// and GPUs report in their own words.
import { describe, expect, it } from 'vitest';
import { adapterFacts, softwareAdapterReason, softwareRendererName } from '../src/device/software-adapter.js';

describe('softwareAdapterReason', () => {
  it('rejects lavapipe by its fallback flag, and by its names when the flag is absent', () => {
    const lavapipe = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1' };
    expect(softwareAdapterReason({ ...lavapipe, isFallbackAdapter: true })).toBe('it is a fallback adapter (isFallbackAdapter = true)');
    expect(softwareAdapterReason(lavapipe)).toBe('its architecture "software" names a software renderer (software)');
    expect(softwareAdapterReason({ vendor: 'mesa', description: 'llvmpipe (LLVM 17.0.6, 256 bits)' })).toBe('its description "llvmpipe (LLVM 17.0.6, 256 bits)" names a software renderer (llvmpipe)');
  });

  it('rejects SwiftShader and WARP', () => {
    expect(softwareAdapterReason({ vendor: 'google', architecture: '', description: 'SwiftShader Device (Subzero)' })).toMatch(/SwiftShader/);
    expect(softwareAdapterReason({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })).toMatch(/Basic Render/);
  });

  it('accepts hardware GPUs', () => {
    expect(softwareAdapterReason({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false })).toBeNull();
    expect(softwareAdapterReason({ vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' })).toBeNull();
    expect(softwareAdapterReason({ vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) UHD Graphics 770 (ADL-S GT1)' })).toBeNull();
  });

  it('names the renderer for a one-line message, and nothing for a hardware GPU', () => {
    expect(softwareRendererName({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1' })).toBe('llvmpipe');
    expect(softwareRendererName({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' })).toBe('SwiftShader');
    expect(softwareRendererName({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })).toBe('Basic Render');
    expect(softwareRendererName({ vendor: 'acme', architecture: 'software' })).toBe('software');
    expect(softwareRendererName({ vendor: 'acme', isFallbackAdapter: true })).toBe('a fallback adapter');
    expect(softwareRendererName({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })).toBeNull();
  });

  it('reads the facts from adapter.info, and the fallback flag from the adapter where older runtimes keep it', () => {
    const info = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe (LLVM 15)' };
    expect(adapterFacts({ info: { ...info, isFallbackAdapter: true } } as unknown as GPUAdapter)).toEqual({ ...info, isFallbackAdapter: true });
    expect(adapterFacts({ info, isFallbackAdapter: false } as unknown as GPUAdapter)).toEqual({ ...info, isFallbackAdapter: false });
    expect(adapterFacts({} as unknown as GPUAdapter)).toEqual({});
  });
});
