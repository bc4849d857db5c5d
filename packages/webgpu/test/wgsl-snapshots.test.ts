// Generated WGSL of representative kernels, checked without a GPU (TypeGPU-style snapshots).
import { trace } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { describe, expect, it } from 'vitest';
import { compileProgram, type KernelStep, type Program, type Step } from '../src/index.js';

const LIMITS = { maxStorageBufferBindingSize: 1 << 27, maxStorageBuffersPerShaderStage: 8 };

function kernels(program: Program): KernelStep[] {
  const out: KernelStep[] = [];
  const walk = (steps: readonly Step[]) => steps.forEach((s) => (s.kind === 'kernel' ? out.push(s) : s.kind === 'loop' ? walk(s.body) : undefined));
  walk(program.steps);
  return out;
}

const lif = trace((b) => {
  const x = b.input('x', [4, 2, 3]);
  const { outputs } = b.scan({
    carries: [b.constant(0, [2, 3])],
    sequences: [x],
    body: (_, [v], [xt]) => {
      const h = v!.add(xt!.sub(v!).div(2));
      const s = h.sub(1).spike();
      return { carries: [h.mul(s.stopGradient().neg().add(1))], outputs: [s] };
    },
  });
  return { loss: outputs[0]!.sum() };
});

describe('generated WGSL', () => {
  it('fuses an elementwise chain with broadcasting into one kernel', () => {
    const g = trace((b) => ({ y: b.input('a', [5, 3]).mul(b.input('b', [3])).add(1).tanh().sigmoid() }));
    const ks = kernels(compileProgram(g, LIMITS));
    expect(ks.length).toBe(1);
    expect(ks[0]!.source.code).toMatchSnapshot();
  });

  it('blocks a matmul in registers, without workgroup memory', () => {
    const g = trace((b) => ({ y: b.input('a', [7, 13]).matmul(b.input('b', [37, 13]), { transposeB: true }) }));
    const ks = kernels(compileProgram(g, LIMITS));
    expect(ks.map((k) => k.source.kind)).toEqual(['matmul-register']);
    expect(ks[0]!.source.code).toMatchSnapshot();
  });

  it('runs the LIF forward scan as one kernel looping over t', () => {
    const ks = kernels(compileProgram(lif, LIMITS)).filter((k) => k.source.kind === 'scan-fused');
    expect(ks.length).toBe(1);
    expect(ks[0]!.source.code).toMatchSnapshot();
  });

  it('runs the LIF backward (reverse-time) scan as one kernel', () => {
    const g = grad(lif, { of: 'loss', wrt: ['x'] });
    const ks = kernels(compileProgram(g, LIMITS)).filter((k) => k.source.kind === 'scan-fused');
    expect(ks.length).toBe(2);
    expect(ks[1]!.source.code).toMatchSnapshot();
  });
});
