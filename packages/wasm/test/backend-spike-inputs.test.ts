// The `spikeInputs` option on the WebAssembly backend: an input declared to hold spikes is kept as
// bools, so its matmuls take the zero-skipping spike product, with the bits of the undeclared graph
// (and core's CPU reference); a feed holding anything but 0 and 1 is rejected, naming the element,
// and changes nothing; an unknown name is rejected as on WebGPU.
import { grad, gradName } from '@spikeflow/autodiff';
import { cpuBackend, leafName, SpikeflowError, tensor, type Graph, type StepRunner } from '@spikeflow/core';
import { sgd, trainingGraph } from '@spikeflow/models';
import { afterEach, describe, expect, it } from 'vitest';
import { spikeClassifier, spikeDataset, TASK } from '../../models/test/support/spike-task.js';
import type { Step } from '../src/compiler/program.js';
import { nodeWasmBackend, spawnNodeWorker } from '../src/node.js';
import { WasmExecutable } from '../src/runtime/executable.js';
import { bits, maxAbsDiff } from './support/compare.js';

const open: { destroy(): void }[] = [];
afterEach(() => open.splice(0).forEach((r) => r.destroy()));

const model = spikeClassifier();
const paramNames = model.params.map((id) => leafName(model.nodes[id]!));
const gradients = grad(model, { of: 'loss', wrt: paramNames });
const data = spikeDataset(TASK.B, 5);

async function executable(graph: Graph, spikeInputs?: readonly string[]): Promise<WasmExecutable> {
  const exe = await WasmExecutable.create(graph, { threads: 1, spawn: spawnNodeWorker, seed: 4, ...(spikeInputs === undefined ? {} : { spikeInputs }) });
  open.push(exe);
  return exe;
}

/** Kernel labels of the matmuls that take the zero-skipping spike product, loops walked. */
function spikeProducts(steps: readonly Step[]): string[] {
  return steps.flatMap((s) => (s.kind === 'kernel' ? (s.label.endsWith('/spikes') ? [s.label] : []) : s.kind === 'loop' ? spikeProducts(s.body) : []));
}

describe('spikeInputs on the WebAssembly backend', () => {
  it('takes the spike product for x·W and xᵀ·dH, with the bits of the undeclared graph, near the CPU reference', async () => {
    const declared = await executable(gradients, ['x']);
    const plain = await executable(gradients);
    // Only the hidden spikes skip zeros undeclared; declared, both matmuls reading x do too.
    const readsX = (exe: WasmExecutable) => spikeProducts(exe.program.steps).filter((label) => label.includes('linear0/'));
    expect(readsX(plain)).toEqual([]);
    expect(readsX(declared)).toHaveLength(2);
    expect(declared.program.values.get(declared.program.inputs.find((i) => i.name === 'x')!.value)!.type.dtype).toBe('bool');
    const [got, want] = [await declared.run(data), await plain.run(data)];
    const cpu = await cpuBackend().compile(gradients, { seed: 4 });
    const reference = await cpu.run(data);
    cpu.destroy();
    expect(Object.keys(got).sort()).toEqual(['loss', 'scores', ...paramNames.map(gradName)].sort());
    for (const name of Object.keys(want)) {
      expect(bits(got[name]!), name).toEqual(bits(want[name]!));
      // As in backend-train.test.ts: float32 sums in another order than the interpreter's, and
      // other exp and log approximations, move the last bits; a flipped spike would move ~1e-2.
      expect(maxAbsDiff(got[name]!, reference[name]!), name).toBeLessThanOrEqual(1e-6);
    }
    expect(got[gradName('linear0/w')]!.data.some((g) => g !== 0)).toBe(true);
  });

  it('trains through the TrainBackend (nodeWasmBackend({ spikeInputs })) with the bits of the undeclared step', async () => {
    const training = trainingGraph(model, { loss: 'loss', optimizer: sgd() });
    const declared = await nodeWasmBackend({ threads: 2, spikeInputs: ['x'] }).compileTrainStep(training, { seed: 2 });
    const plain = await nodeWasmBackend({ threads: 2 }).compileTrainStep(training, { seed: 2 });
    open.push(declared, plain);
    const batches = [5, 6, 7].map((seed) => ({ ...spikeDataset(TASK.B, seed), lr: 0.5 }));
    const run = async (runner: StepRunner) => {
      const losses: number[] = [];
      for (const batch of batches) losses.push(await runner.stepWithLoss(batch));
      return { losses, state: await runner.readState() };
    };
    const [got, want] = [await run(declared), await run(plain)];
    expect(got.losses).toEqual(want.losses);
    for (const name of Object.keys(want.state)) expect(bits(got.state[name]!), name).toEqual(bits(want.state[name]!));
    const initial = await (await cpuBackend().compileTrainStep(training, { seed: 2 })).readState();
    expect(maxAbsDiff(got.state['linear0/w']!, initial['linear0/w']!)).toBeGreaterThan(1e-3);
  });

  it('rejects a feed holding another value than 0 and 1 with one error naming the element, and changes nothing', async () => {
    const training = trainingGraph(model, { loss: 'loss', optimizer: sgd() });
    const runner = await nodeWasmBackend({ threads: 1, spikeInputs: ['x'] }).compileTrainStep(training, { seed: 2 });
    open.push(runner);
    const good = { ...data, lr: 0.5 };
    const before = await runner.readState();
    const x = Array.from(data.x.data);
    const withValue = (index: number, value: number) => ({ ...good, x: tensor(data.x.type.shape, x.map((v, i) => (i === index ? value : v))) });
    const bad: [Record<string, unknown>, RegExp][] = [
      [withValue(7, 0.5), /at 'inputs\.x\[7\]': a spike input holds only 0 and 1; expected 0 or 1; found 0\.5$/],
      [withValue(30, NaN), /at 'inputs\.x\[30\]': a spike input holds only 0 and 1; expected 0 or 1; found NaN$/],
      // The nearest float32 above 1, fed as a plain array.
      [{ ...good, x: x.map((v, i) => (i === 3 ? 1 + 2 ** -23 : v)) }, /at 'inputs\.x\[3\]': a spike input holds only 0 and 1; expected 0 or 1; found 1\.0000001192092896$/],
      // Fed as declared (float32): a bool tensor is the wrong dtype, as for the undeclared graph.
      [{ ...good, x: tensor(data.x.type.shape, x, 'bool') }, /inputs\.x.*wrong dtype; expected f32; found bool/],
      [{ ...good, x: tensor([1], [1]) }, /inputs\.x.*wrong shape/],
    ];
    for (const [feeds, message] of bad) {
      await expect(runner.stepWithLoss(feeds as typeof good)).rejects.toThrow(message);
      expect(() => runner.step(feeds as typeof good)).toThrow(SpikeflowError);
    }
    const after = await runner.readState();
    for (const name of Object.keys(before)) expect(bits(after[name]!), name).toEqual(bits(before[name]!));
    // The next good step is the first step of a fresh runner: nothing was written.
    const fresh = await nodeWasmBackend({ threads: 1, spikeInputs: ['x'] }).compileTrainStep(training, { seed: 2 });
    open.push(fresh);
    expect(await runner.stepWithLoss(good)).toBe(await fresh.stepWithLoss(good));
  });

  it('rejects an unknown name with the WebGPU backend\'s error, naming it; an i32 input declared spikes is fed 0/1 as i32', async () => {
    const message = /at 'spikeInputs\.z': the graph has no input of this name; expected x, labels; found z/;
    await expect(executable(gradients, ['x', 'z'])).rejects.toThrow(message);
    await expect(executable(gradients, ['z'])).rejects.toBeInstanceOf(SpikeflowError);
    const training = trainingGraph(model, { loss: 'loss', optimizer: sgd() });
    await expect(nodeWasmBackend({ threads: 1, spikeInputs: ['z'] }).compileTrainStep(training)).rejects.toThrow(/at 'spikeInputs\.z': the graph has no input of this name; expected x, labels, lr; found z/);
    // labels are i32: declared spikes, they are still fed as i32, 0 or 1, and a 2 is refused.
    const declared = await executable(gradients, ['x', 'labels']);
    const plain = await executable(gradients);
    const zeroOne = { x: data.x, labels: tensor([TASK.B], [0, 1, 1, 0, 1, 0, 0, 1], 'i32') };
    const [got, want] = [await declared.run(zeroOne), await plain.run(zeroOne)];
    for (const name of Object.keys(want)) expect(bits(got[name]!), name).toEqual(bits(want[name]!));
    const two = { x: data.x, labels: tensor([TASK.B], [0, 1, 1, 0, 1, 2, 0, 1], 'i32') };
    await expect(declared.run(two)).rejects.toThrow(/at 'inputs\.labels\[5\]': a spike input holds only 0 and 1; expected 0 or 1; found 2$/);
  });
});
