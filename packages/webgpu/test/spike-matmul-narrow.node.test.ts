// The zero-skipping spike matmul at the narrow width W1's second layer has (N = 10, where the
// compiler gives it fewer rows per workgroup, see compiler/matmul-steps.ts), forward and as the
// weight gradient (x read transposed), on values where every sum is exact in float32: the GPU must
// equal the CPU reference bit for bit, whatever order it adds in. M = 45 leaves a partial group.
import { grad, gradName } from '@spikeflow/autodiff';
import { evaluate, toArray, trace } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU narrow spike matmul test');

/** Values on a 1/64 grid in [-1, 1]: sums of up to 2^18 of them are exact in float32. */
const onGrid = (seed: number, n: number) => testData(seed, n, -1, 1).map((v) => Math.round(v * 64) / 64);

describe.skipIf(skip)('narrow spike matmul', () => {
  it('computes x·w and xᵀ·g exactly as the CPU reference, for x a spike input', async () => {
    const [M, K, N] = [45, 77, 10];
    const product = trace((b) => {
      const x = b.input('x', [M, K]);
      const w = b.param('w', [K, N], { kind: 'zeros' });
      const y = x.matmul(w);
      return { loss: y.mul(b.input('g', [M, N])).sum(), y };
    });
    const g = grad(product, { of: 'loss', wrt: ['w'] });
    const data = { x: testData(5, M * K, 0, 1).map((u) => (u < 0.3 ? 1 : 0)), g: onGrid(6, M * N) };
    const weights = { w: onGrid(7, K * N) };
    const exe = await compile(g, deviceOf(acquired).device, { spikeInputs: ['x'] });
    expect(exe.stats.kernels.filter((k) => k.kind === 'matmul-spike')).toHaveLength(2);
    exe.setParams(weights);
    const out = await exe.run(data);
    exe.destroy();
    const cpu = evaluate(g, { inputs: data, params: weights }).outputs;
    for (const name of ['y', gradName('w')]) expect(Array.from(toArray(out[name]!)), name).toEqual(Array.from(toArray(cpu[name]!)));
  });
});
