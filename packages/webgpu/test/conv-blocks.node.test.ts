// The convolutional SNN blocks of @spikeflow/models (pooling, flatten, tdBN, BNTT) on the CPU
// reference and on WebGPU (dawn.node): forward values, gradients and the running-statistic updates
// agree, in training and in evaluation mode. One graph holds every block, so one compile serves all.
import { evaluate, tensor, trace, type HostTensor, type Shape } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { avgPool2d, bntt, buildBntt, buildTdBN, flatten, maxPool2d, sumPool2d, tdBN, TRAINING_INPUT } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU conv-block parity tests');

const size = (shape: Shape) => shape.reduce((a, b) => a * b, 1);
const X_SHAPE = [2, 2, 3, 6, 5]; // [T, B, C, H, W]

const blocks = {
  max: (x: Parameters<typeof maxPool2d>[0]) => maxPool2d(x, { kernel: 3, stride: 2, padding: 1 }),
  sum: (x: Parameters<typeof sumPool2d>[0]) => sumPool2d(x, { kernel: 2 }),
  avg: (x: Parameters<typeof avgPool2d>[0]) => avgPool2d(x, { kernel: [2, 3], stride: 1, padding: 1 }),
};

/** Every block on one input x, each output flattened to [T, B, ·] and weighted by its own r in the loss. */
const model = trace((b) => {
  const x = b.input('x', X_SHAPE);
  const outputs = {
    ...Object.fromEntries(Object.entries(blocks).map(([name, pool]) => [name, flatten(pool(x), 2)])),
    tdBN: flatten(b.scope('tdBN', () => buildTdBN(b, x, tdBN(3, { alpha: 0.7, threshold: 1.5 }))), 2),
    bntt: flatten(b.scope('bntt', () => buildBntt(b, x, bntt(3, 2, { bias: true }))), 2),
  };
  const loss = Object.entries(outputs)
    .map(([name, y]) => y.mul(b.input(`r/${name}`, y.shape)).sum())
    .reduce((a, c) => a.add(c));
  return { ...outputs, loss };
});
const PARAMS = ['tdBN/gamma', 'tdBN/beta', 'bntt/gamma', 'bntt/beta'];
const STATE = ['tdBN/runningMean', 'tdBN/runningVar', 'bntt/runningMean', 'bntt/runningVar'];

describe.skipIf(skip)('conv blocks, CPU reference vs WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('pooling, flatten, tdBN and BNTT: forward, gradients and running statistics agree in both modes', async () => {
    const g = grad(model, { of: 'loss', wrt: ['x', ...PARAMS] });
    const shapeOf = (name: string) => g.nodes[g.inputs.find((id) => (g.nodes[id]!.attrs as { name: string }).name === name)!]!.type as { shape: Shape };
    const cotangents = Object.fromEntries(['max', 'sum', 'avg', 'tdBN', 'bntt'].map((name, i) => [`r/${name}`, tensor(shapeOf(`r/${name}`).shape, testData(10 + i, size(shapeOf(`r/${name}`).shape), -1, 1))]));
    // Distinct random values: no ties inside a max window.
    const x = tensor(X_SHAPE, testData(1, size(X_SHAPE), -2, 3));
    const params: Record<string, HostTensor> = {
      'tdBN/gamma': tensor([3], testData(2, 3, 0.5, 1.5)),
      'tdBN/beta': tensor([3], testData(3, 3, -1, 1)),
      'bntt/gamma': tensor([2, 3], testData(4, 6, 0.5, 1.5)),
      'bntt/beta': tensor([2, 3], testData(5, 6, -1, 1)),
    };
    const state: Record<string, HostTensor> = {
      'tdBN/runningMean': tensor([3], testData(6, 3, -0.5, 0.5)),
      'tdBN/runningVar': tensor([3], testData(7, 3, 0.5, 2)),
      'bntt/runningMean': tensor([2, 3], testData(8, 6, -0.5, 0.5)),
      'bntt/runningVar': tensor([2, 3], testData(9, 6, 0.5, 2)),
    };
    const exe = await compile(g, deviceOf(acquired).device);
    try {
      exe.setParams(params);
      for (const training of [1, 0]) {
        const inputs = { x, ...cotangents, [TRAINING_INPUT]: training };
        const cpu = evaluate(g, { inputs, params, state });
        exe.setState(state);
        const gpu = await exe.run(inputs);
        const gpuState = await exe.readState(STATE);
        const mode = training ? 'training' : 'evaluation';
        for (const name of ['max', 'sum', 'avg', 'tdBN', 'bntt', 'loss', 'grad/x', ...PARAMS.map((p) => `grad/${p}`)]) {
          expect(scaledMaxError(gpu[name]!, cpu.outputs[name]!), `${name}, ${mode}`).toBeLessThan(1e-4);
        }
        for (const name of STATE) expect(scaledMaxError(gpuState[name]!, cpu.state[name]!), `${name}, ${mode}`).toBeLessThan(1e-5);
      }
    } finally {
      exe.destroy();
    }
  });
});
