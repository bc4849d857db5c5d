// Shape-generic kernels: a second batch size reuses every compiled pipeline (sizes come from each
// kernel's size table) and computes what the CPU interpreter computes.
import { evaluate, initParams, tensor, toArray, type Graph, type HostTensor } from '@spikeflow/core';
import { adam, buildClassifier, defaultClassifierSpec, leakyIntegrator, linear, psn, recurrentClassifierSpec, sequential, trainingGraph, type SequentialSpec } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileTrainStep } from '../src/index.js';
import { pipelinesCreated } from '../src/runtime/pipelines.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testRandom } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the shape-generic kernel tests');

// The classifier defaults: T = 8 steps, 10 classes. Batch 32 and 17 used to switch the readout
// matmul to another kernel (rows T·B) and batch 17 to lose vec4 stores ([17, 10] scores).
const [T, F, HIDDEN, CLASSES] = [8, 40, 64, 10];

const INFO = { inputSize: F, outputSize: CLASSES } as Parameters<typeof defaultClassifierSpec>[0];
const SPECS: Readonly<Record<string, SequentialSpec>> = {
  'LIF MLP': defaultClassifierSpec(INFO, HIDDEN),
  // A recurrent layer runs as a step loop: its per-step slices' stride (B · hidden) is a table size.
  'recurrent LIF': recurrentClassifierSpec(INFO, HIDDEN),
  PSN: sequential([linear(F, HIDDEN, { initScale: 4 }), psn(T), linear(HIDDEN, CLASSES), leakyIntegrator()]),
};

/** The evaluation graph of a classifier at batch `batch`. */
function classifier(spec: SequentialSpec, batch: number): Graph {
  return buildClassifier(spec, { input: { name: 'x', shape: [T, batch, F] }, classes: CLASSES });
}

function feeds(batch: number, seed: number): Record<string, HostTensor> {
  const next = testRandom(seed);
  return {
    x: tensor([T, batch, F], Array.from({ length: T * batch * F }, () => Number(next() < 0.3))),
    labels: tensor([batch], Array.from({ length: batch }, (_, k) => (k * 3) % CLASSES), 'i32'),
  };
}

describe.skipIf(skip)('shape-generic WebGPU kernels', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  for (const [name, spec] of Object.entries(SPECS)) {
    it(`the ${name} classifier at batch 32 and 17 reuses batch 64 pipelines and agrees with the CPU`, async () => {
      const { device } = deviceOf(acquired);
      let created: number | undefined;
      for (const batch of [64, 32, 17]) {
        const graph = classifier(spec, batch);
        const params = initParams(graph, { seed: 3 });
        const exe = await compile(graph, device);
        if (created === undefined) created = pipelinesCreated(device);
        else expect(pipelinesCreated(device), `pipelines created at batch ${batch}`).toBe(created);
        exe.setParams(params);
        const inputs = feeds(batch, batch);
        const gpu = await exe.run(inputs);
        const cpu = evaluate(graph, { inputs, params }).outputs;
        expect(gpu.scores!.type.shape).toEqual([batch, CLASSES]);
        for (const output of ['loss', 'scores']) expect(scaledMaxError(gpu[output]!, cpu[output]!), `${output} at batch ${batch}`).toBeLessThan(1e-4);
        exe.destroy();
      }
    });
  }

  it('a LIF MLP training step at batch 17 reuses batch 32 pipelines and follows the CPU loss', async () => {
    const { device } = deviceOf(acquired);
    let created: number | undefined;
    for (const batch of [32, 17]) {
      const train = trainingGraph(classifier(SPECS['LIF MLP']!, batch), { loss: 'loss', optimizer: adam() });
      const step = await compileTrainStep(train, device);
      if (created === undefined) created = pipelinesCreated(device);
      else expect(pipelinesCreated(device), `pipelines created at batch ${batch}`).toBe(created);
      const inputs = { ...feeds(batch, batch), lr: 0.05 };
      let state: Record<string, HostTensor> | undefined;
      for (let k = 0; k < 2; k++) {
        const cpu = evaluate(train, { inputs, ...(state ? { state } : {}) });
        state = { ...cpu.state };
        const cpuLoss = toArray(cpu.outputs.loss!)[0]!;
        const gpuLoss = await step.stepWithLoss(inputs);
        expect(Math.abs(gpuLoss - cpuLoss), `loss of step ${k} at batch ${batch}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(cpuLoss)));
      }
      step.destroy();
    }
  });
});
