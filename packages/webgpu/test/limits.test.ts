// Device limits are checked before any dispatch, with errors naming the node (no GPU needed).
import { SpikeflowError, trace } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { checkWorkgroup, compileProgram, type KernelStep } from '../src/index.js';

const LIMITS = { maxStorageBufferBindingSize: 1 << 27, maxStorageBuffersPerShaderStage: 8 };

/** Device limits as WebGPU's defaults, with overrides. */
function limits(overrides: Partial<GPUSupportedLimits>): GPUSupportedLimits {
  return {
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupSizeY: 256,
    maxComputeWorkgroupSizeZ: 64,
    maxComputeWorkgroupsPerDimension: 65535,
    ...overrides,
  } as GPUSupportedLimits;
}

describe('device limits', () => {
  const g = trace((b) => ({ y: b.scope('layer1', () => b.input('x', [1000]).exp()) }));
  const kernel = compileProgram(g, LIMITS).steps[0] as KernelStep;

  it('accepts kernels within the WebGPU defaults every device has', () => {
    expect(() => checkWorkgroup(limits({}), kernel.source)).not.toThrow();
  });

  it('rejects a workgroup larger than the device allows, naming the node', () => {
    let error: unknown;
    try {
      checkWorkgroup(limits({ maxComputeInvocationsPerWorkgroup: 128, maxComputeWorkgroupSizeX: 128 }), kernel.source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).where).toBe('layer1/exp');
    expect((error as Error).message).toContain('256 invocations');
  });

  it('splits a fused kernel that would bind more buffers than the device allows', () => {
    const wide = trace((b) => {
      const xs = Array.from({ length: 9 }, (_, k) => b.input(`x${k}`, [10]));
      return { y: xs.reduce((acc, x) => acc.add(x)) };
    });
    const steps = compileProgram(wide, { ...LIMITS, maxStorageBuffersPerShaderStage: 4 }).steps as KernelStep[];
    expect(steps.length).toBeGreaterThan(1);
    for (const s of steps) expect(s.source.bindings.length).toBeLessThanOrEqual(4);
  });
});
