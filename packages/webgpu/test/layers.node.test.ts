// Layer parity: the conv and dropout layers of @spikeflow/models on the CPU reference and on WebGPU
// (dawn.node). Forward and gradients agree within 1e-4; dropout draws the same mask on both.
import { evaluate, tensor, toArray, trace, type Graph, type HostTensor, type TensorType } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { buildConv1d, buildConv2d, buildDropout, conv1d, conv2d, dropout, RANDOM_STEP_INPUT, TRAINING_INPUT, type Conv1dSpec, type Conv2dSpec } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU layer parity tests');

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `g` on the CPU reference and on the device with the same feeds and params. */
async function bothBackends(g: Graph, inputs: Record<string, HostTensor | number>, params: Record<string, HostTensor> = {}) {
  const cpu = evaluate(g, { inputs, params }).outputs;
  const exe = await compile(g, deviceOf(acquired).device);
  exe.setParams(params);
  const gpu = await exe.run(inputs);
  exe.destroy();
  return { cpu, gpu };
}

describe.skipIf(skip)('layer parity, CPU reference vs WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it.each([
    ['conv1d, stride 2, padding [2, 1], dilation 2, groups 2', conv1d(4, 6, 3, { stride: 2, padding: [2, 1], dilation: 2, groups: 2 }), [3, 2, 4, 13], [6, 2, 3]],
    ['conv2d, stride [2, 1], padding 1, dilation [1, 2], groups 2', conv2d(4, 6, [3, 2], { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 }), [3, 2, 4, 9, 8], [6, 2, 3, 2]],
  ] as [string, Conv1dSpec | Conv2dSpec, number[], number[]][])('%s: time-major forward and gradients agree', async (_, spec, xShape, wShape) => {
    const model = trace((b) => {
      const x = b.input('x', xShape);
      const y = b.scope('conv', () => (spec.kind === 'conv1d' ? buildConv1d(b, x, spec) : buildConv2d(b, x, spec)));
      return { y, loss: y.mul(y).mul(b.input('g', y.shape)).sum().div(2) };
    });
    const g = grad(model, { of: 'loss', wrt: ['conv/w', 'conv/b', 'x'] });
    const yShape = [...(model.nodes[model.outputs[0]!.node]!.type as TensorType).shape];
    const inputs = { x: tensor(xShape, testData(1, size(xShape), -1, 1)), g: tensor(yShape, testData(2, size(yShape), -1, 1)) };
    const params = { 'conv/w': tensor(wShape, testData(3, size(wShape), -1, 1)), 'conv/b': tensor([6], testData(4, 6, -1, 1)) };
    const { cpu, gpu } = await bothBackends(g, inputs, params);
    for (const name of ['y', 'loss', 'grad/conv/w', 'grad/conv/b', 'grad/x']) expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
  });

  it('dropout draws the same mask on both, shared over time, with the same gradient; evaluation is the identity', async () => {
    const shape = [4, 16, 64];
    const model = trace((b) => {
      const x = b.input('x', shape);
      const multi = b.scope('drop0', () => buildDropout(b, x, dropout(0.3)));
      const single = b.scope('drop1', () => buildDropout(b, x, dropout(0.6, { stepMode: 'single' })));
      return { multi, single, loss: multi.add(single).mul(b.input('g', shape)).sum() };
    });
    const g = grad(model, { of: 'loss', wrt: ['x'] });
    const x = tensor(shape, testData(5, size(shape), 0.5, 1.5));
    const cot = tensor(shape, testData(6, size(shape), -1, 1));
    const { cpu, gpu } = await bothBackends(g, { x, g: cot, [TRAINING_INPUT]: 1, [RANDOM_STEP_INPUT]: 5 });
    const kept = (t: HostTensor) => toArray(t).map((v) => Number(v !== 0));
    for (const name of ['multi', 'single']) {
      expect(kept(gpu[name]!), `${name} mask`).toEqual(kept(cpu[name]!));
      expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-6);
    }
    const mask = kept(cpu.multi!);
    const perStep = 16 * 64;
    expect(mask.slice(3 * perStep)).toEqual(mask.slice(0, perStep)); // shared over time
    expect(mask.filter((v) => v === 0).length).toBeGreaterThan(0);
    expect(scaledMaxError(gpu['grad/x']!, cpu['grad/x']!)).toBeLessThan(1e-6);

    const evaluation = await bothBackends(g, { x, g: cot, [TRAINING_INPUT]: 0, [RANDOM_STEP_INPUT]: 5 });
    for (const name of ['multi', 'single']) expect(toArray(evaluation.gpu[name]!), name).toEqual(toArray(x));
  });
});
