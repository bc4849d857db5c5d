// A LIF classifier's training step (forward, BPTT through two LIF scans, Adam) on the WebAssembly
// backend against core's cpuBackend (the CPU reference in float32), from the same seed.
import { cpuBackend, type HostTensor, type StepRunner } from '@spikeflow/core';
import { adam, trainingGraph } from '@spikeflow/models';
import { afterEach, describe, expect, it } from 'vitest';
import { spikeClassifier, spikeDataset } from '../../models/test/support/spike-task.js';
import { nodeWasmBackend } from '../src/node.js';
import { bits, maxAbsDiff } from './support/compare.js';

const STEPS = 5;
const open: StepRunner[] = [];
afterEach(() => open.splice(0).forEach((r) => r.destroy()));

const graph = trainingGraph(spikeClassifier(), { loss: 'loss', optimizer: adam() });
const batches = Array.from({ length: STEPS }, (_, k) => ({ ...spikeDataset(8, 11 + k), lr: 0.05 }));

/** Losses of STEPS steps and the state after them. */
async function train(runner: StepRunner): Promise<{ losses: number[]; state: Record<string, HostTensor> }> {
  const losses: number[] = [];
  for (const batch of batches) losses.push(await runner.stepWithLoss(batch));
  return { losses, state: await runner.readState() };
}

describe('a LIF classifier trained on the WebAssembly backend', () => {
  it('starts from the same state as cpuBackend for the same seed, bit for bit', async () => {
    const cpu = await cpuBackend().compileTrainStep(graph, { seed: 3 });
    const wasm = await nodeWasmBackend({ threads: 1 }).compileTrainStep(graph, { seed: 3 });
    open.push(cpu, wasm);
    const [want, got] = [await cpu.readState(), await wasm.readState()];
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const name of Object.keys(want)) expect(bits(got[name]!), name).toEqual(bits(want[name]!));
  });

  it('follows cpuBackend for 5 steps: the loss and every updated param, on 1 and 2 threads (the same bits)', async () => {
    const cpu = await cpuBackend().compileTrainStep(graph, { seed: 3 });
    const one = await nodeWasmBackend({ threads: 1 }).compileTrainStep(graph, { seed: 3 });
    const two = await nodeWasmBackend({ threads: 2 }).compileTrainStep(graph, { seed: 3 });
    open.push(cpu, one, two);
    const want = await train(cpu);
    const got = await train(one);
    const got2 = await train(two);
    // The float32 sums of the matmuls and reductions run in another order than the interpreter's,
    // and exp and log are other float32 approximations, so values differ in the last bits: here
    // the losses by at most 1 ulp (6e-8) and the params by at most 2 ulps (1.2e-7) after 5 steps.
    // The bound, 1e-6, leaves room for a few more roundings but not for a real difference: a
    // spike that flipped at a threshold, or a wrong gradient, moves the loss by about 1e-2 and the
    // params by about lr = 0.05 (Adam normalizes each update to about lr).
    got.losses.forEach((loss, k) => expect(Math.abs(loss - want.losses[k]!), `loss of step ${k}`).toBeLessThanOrEqual(1e-6));
    for (const name of Object.keys(want.state)) expect(maxAbsDiff(got.state[name]!, want.state[name]!), name).toBeLessThanOrEqual(1e-6);
    // The params really moved.
    const initial = await (await cpuBackend().compileTrainStep(graph, { seed: 3 })).readState();
    expect(maxAbsDiff(got.state['linear0/w']!, initial['linear0/w']!)).toBeGreaterThan(0.05);
    expect(got2.losses).toEqual(got.losses);
    for (const name of Object.keys(got.state)) expect(bits(got2.state[name]!), name).toEqual(bits(got.state[name]!));
  });
});
