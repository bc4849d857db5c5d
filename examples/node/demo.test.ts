// The README's main job, at a CI budget: it must really learn MNIST, on WebGPU under
// SPIKEFLOW_REQUIRE_WEBGPU=1, else on the backend chosen for this machine; its first line names that backend.
import type { CompileProgress } from '@spikeflow/webgpu';
import { describe, expect, it } from 'vitest';
import { runDemo } from './mnist-demo.js';

describe('pnpm demo (short)', () => {
  it('trains the spiking MLP on MNIST and beats chance on held-out digits by a wide margin', async () => {
    const lines: string[] = [];
    const compiles: CompileProgress[] = [];
    const result = await runDemo({
      epochs: 1,
      trainSize: 3072,
      testSize: 1000,
      batch: 128,
      steps: 8,
      hidden: 64,
      lr: 0.005,
      seed: 3,
      requireWebGPU: process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1',
      progress: (line, final) => final && lines.push(line),
      onCompileProgress: (event) => compiles.push(event),
    });
    console.log(lines.join('\n'));
    if (process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1') expect(result.device).toMatch(/^WebGPU/);
    expect(lines[0]).toBe(result.backendLine);
    const kind = { WebGPU: 'webgpu', WebAssembly: 'wasm', CPU: 'cpu' }[result.device.split(' ')[0]!];
    expect(result.backendLine).toMatch(new RegExp(`^backend: ${kind} \\(.+\\) — .+`));
    if (result.device.startsWith('WebGPU')) {
      // Two graphs compiled (the step, then the evaluation), each reported from its first event to done = total.
      const starts = compiles.filter((e) => e.label === undefined);
      expect(starts.length).toBe(2);
      expect(compiles.at(-1)!.done).toBe(compiles.at(-1)!.total);
      expect(compiles.filter((e) => e.label !== undefined && e.done === e.total).length).toBeGreaterThanOrEqual(1);
    }
    // Chance is about 11% (the majority class); 24 Adam steps on 3,072 digits already give far more.
    expect(result.testAccuracy).toBeGreaterThan(0.7);
  }, 300_000);
});
