// Compile progress: a graph's unique pipelines are reported as they become ready (identical kernels
// are one pipeline), a pipeline already on the device counts as done from the first event, and
// compiling the same graph again creates no pipeline.
import { evaluate, tensor, trace, type Graph } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, type CompileProgress, type KernelStep, type Step } from '../src/index.js';
import { pipelinesCreated } from '../src/runtime/pipelines.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

// A device of this file's own, so no other test's pipelines are in its cache.
const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU compile-progress tests');

/** Two matmul-then-sum branches of equal shapes: four kernels, of which two pairs have the same WGSL. */
function twinBranches(): Graph {
  return trace((b) => {
    const w = b.input('w', [32, 16]);
    return { a: b.input('x', [64, 32]).matmul(w).sum([1]), c: b.input('y', [64, 32]).matmul(w).sum([1]) };
  });
}

function kernelSteps(steps: readonly Step[]): KernelStep[] {
  return steps.flatMap((s) => (s.kind === 'kernel' ? [s] : s.kind === 'loop' ? kernelSteps(s.body) : []));
}

const ramp = (shape: number[], scale: number) => tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => ((i % 7) - 3) * scale));

describe.skipIf(skip)('compile progress', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });
  const graph = twinBranches();

  it('reports each unique pipeline once, done rising by one from 0 to the total; the results match the CPU', async () => {
    const { device } = deviceOf(acquired);
    const createdBefore = pipelinesCreated(device);
    const events: CompileProgress[] = [];
    const exe = await compile(graph, device, { onCompileProgress: (e) => events.push(e) });
    const kernels = kernelSteps(exe.program.steps);
    const unique = new Set(kernels.map((k) => k.source.code)).size;
    expect(kernels.length).toBe(4);
    expect(unique).toBe(2); // the graph really has twins, so the total below is a count of unique pipelines
    expect(pipelinesCreated(device) - createdBefore).toBe(unique);
    expect(events.map((e) => [e.done, e.total])).toEqual([[0, 2], [1, 2], [2, 2]]);
    expect(events[0]!.label).toBeUndefined();
    const labels = new Set(kernels.map((k) => k.source.label));
    for (const e of events.slice(1)) expect(labels.has(e.label!), e.label).toBe(true);

    // The warm-up dispatches on scratch buffers leave the executable's own results as the CPU computes them.
    const feeds = { x: ramp([64, 32], 0.25), y: ramp([64, 32], -0.5), w: ramp([32, 16], 0.125) };
    const gpu = await exe.run(feeds);
    const cpu = evaluate(graph, { inputs: feeds }).outputs;
    for (const name of ['a', 'c']) expect(Array.from(gpu[name]!.data), name).toEqual(Array.from(cpu[name]!.data));
    exe.destroy();
  });

  it('compiling the same graph again creates no pipeline and reports everything done at once', async () => {
    const { device } = deviceOf(acquired);
    const first = await compile(graph, device);
    const created = pipelinesCreated(device);
    const events: CompileProgress[] = [];
    const second = await compile(graph, device, { onCompileProgress: (e) => events.push(e) });
    expect(pipelinesCreated(device)).toBe(created);
    expect(events).toEqual([{ done: 2, total: 2 }]);
    first.destroy();
    second.destroy();
  });
});
