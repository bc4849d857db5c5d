// Shape-generic kernels: a second batch size reuses every compiled pipeline (sizes come from each
// kernel's size table) and computes what the CPU interpreter computes.
import { evaluate, initParams, tensor, type Graph } from '@spikeflow/core';
import { buildClassifier, defaultClassifierSpec } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { pipelinesCreated } from '../src/runtime/pipelines.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testRandom } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the shape-generic kernel tests');

// T * B >= 512 at every batch below and 4 classes keep each kernel in one shape class: the readout
// matmul stays the narrow kernel, and every elementwise output a multiple of 4 elements (vec4 stores).
const [T, F, HIDDEN, CLASSES] = [32, 40, 64, 4];
const info = { inputSize: F, outputSize: CLASSES };

/** The evaluation graph of the default LIF MLP classifier at batch `batch`. */
function classifier(batch: number): Graph {
  return buildClassifier(defaultClassifierSpec(info as Parameters<typeof defaultClassifierSpec>[0], HIDDEN), { input: { name: 'x', shape: [T, batch, F] }, classes: CLASSES });
}

function feeds(batch: number, seed: number) {
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

  it('a LIF MLP classifier at batch 32 and 17 reuses batch 64 pipelines and agrees with the CPU', async () => {
    const { device } = deviceOf(acquired);
    let created: number | undefined;
    for (const batch of [64, 32, 17]) {
      const graph = classifier(batch);
      const params = initParams(graph, { seed: 3 });
      const exe = await compile(graph, device);
      if (created === undefined) created = pipelinesCreated(device);
      else expect(pipelinesCreated(device), `pipelines created at batch ${batch}`).toBe(created);
      exe.setParams(params);
      const inputs = feeds(batch, batch);
      const gpu = await exe.run(inputs);
      const cpu = evaluate(graph, { inputs, params }).outputs;
      expect(gpu.scores!.type.shape).toEqual([batch, CLASSES]);
      for (const name of ['loss', 'scores']) expect(scaledMaxError(gpu[name]!, cpu[name]!), `${name} at batch ${batch}`).toBeLessThan(1e-4);
      exe.destroy();
    }
  });
});
