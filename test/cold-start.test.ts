// The cold start of W1's training step: how many pipelines it makes the device compile (on a
// software GPU each costs seconds at its first dispatch, so a new kernel variant is a slower cold
// start), and the cold-start suite's answer protocol. The timings themselves are the bench's.
import { describe, expect, it } from 'vitest';
import { compileProgram, type Step } from '@spikeflow/webgpu';
import { sgd, trainingGraph } from '@spikeflow/models';
import { COLD_START_MARKER, parseColdStartResult } from '../bench/src/peers/cold-start-protocol.js';
import { lifMlpModel } from '../bench/src/workloads/lif-mlp.js';

/** WebGPU's default limits: the partition (and so the kernels) of a graph depends on them. */
const DEFAULT_LIMITS = { maxStorageBufferBindingSize: 2 ** 27, maxStorageBuffersPerShaderStage: 8 };

/** Unique WGSL sources of the W1 training step (SGD, x a spike input, as the bench compiles it): one pipeline each. */
function uniqueKernels(T: number): Set<string> {
  const program = compileProgram(trainingGraph(lifMlpModel(T, 64), { loss: 'loss', optimizer: sgd() }), DEFAULT_LIMITS, { spikeInputs: ['x'] });
  const codes = new Set<string>();
  const walk = (steps: readonly Step[]) => {
    for (const s of steps) {
      if (s.kind === 'kernel') codes.add(s.source.code);
      else if (s.kind === 'loop') walk(s.body);
    }
  };
  walk(program.steps);
  return codes;
}

describe("W1's training step pipelines", () => {
  it('compile to at most 28 unique kernels, however long the sequence', () => {
    // 28 when the cold-start suite was written (2 LIF scans and their 2 reverse scans, 4 spike
    // matmuls and a dense one, 3 spike packs, the loss's reductions and elementwise kernels).
    const counts = [8, 32, 128].map((T) => uniqueKernels(T).size);
    expect(counts[1]).toBeLessThanOrEqual(28);
    expect(new Set(counts).size).toBe(1);
  });
});

describe('the cold-start answer line', () => {
  const good = { impl: 'spikeflow', device: 'lavapipe', total_ms: 9000, phases: [{ name: 'process start', ms: 900 }], kernels: [{ label: 'fc1/matmul', ms: 1200 }], loss: 2.3, load_1min: 1 };
  const line = (value: unknown) => `noise\n${COLD_START_MARKER}${JSON.stringify(value)}\n`;

  it('is read back as written', () => {
    expect(parseColdStartResult(line(good), 'spikeflow')).toEqual(good);
  });

  it('is rejected with the field named when a field is wrong or missing', () => {
    expect(() => parseColdStartResult(line({ ...good, total_ms: 'soon' }), 'spikeflow')).toThrow('spikeflow: cold-start field total_ms must be a finite number');
    expect(() => parseColdStartResult(line({ ...good, phases: [] }), 'spikeflow')).toThrow('field phases');
    expect(() => parseColdStartResult(line({ ...good, kernels: [{ label: 'x' }] }), 'spikeflow')).toThrow('field kernels');
    expect(() => parseColdStartResult(line({ ...good, impl: 'tfjs-webgpu' }), 'spikeflow')).toThrow('field impl');
    expect(() => parseColdStartResult('no answer\n', 'tfjs-webgpu')).toThrow('tfjs-webgpu: its process printed no COLD_START line');
  });
});
