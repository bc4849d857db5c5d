// Shared by the tests that check a compiled program's plan and then run it on the GPU against the CPU.
import { evaluate, toArray, type Graph } from '@spikeflow/core';
import { expect } from 'vitest';
import { compile, type Step } from '../../src/index.js';

/** Every kernel step, loop bodies included, in order. */
export function kernelSteps(steps: readonly Step[]): Extract<Step, { kind: 'kernel' }>[] {
  return steps.flatMap((s) => (s.kind === 'kernel' ? [s] : s.kind === 'loop' ? kernelSteps(s.body) : []));
}

/** Runs `graph` once on the GPU and on the CPU interpreter and expects every output equal bit for bit (small integers keep every sum exact). */
export async function expectGpuEqualsCpu(device: GPUDevice, graph: Graph, inputs: Record<string, number[]>): Promise<void> {
  const exe = await compile(graph, device);
  const got = await exe.run(inputs);
  exe.destroy();
  const want = evaluate(graph, { inputs }).outputs;
  for (const name of Object.keys(want)) expect(Array.from(toArray(got[name]!)), name).toEqual(Array.from(toArray(want[name]!)));
}
