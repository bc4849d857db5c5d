// PSN family parity: each variant's forward and backward on WebGPU (dawn.node) against the CPU reference.
import { evaluate, tensor, toArray, trace, type GraphBuilder, type HostTensor, type Tensor } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { buildMaskedPsn, buildPsn, buildSlidingPsn, maskedPsn, psn, slidingPsn } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU PSN parity tests');

const T = 16;
const SHAPE = [T, 20, 100]; // B·N = 2000 neurons
const SIZE = T * 2000;
const K = 4;

interface Variant {
  readonly label: string;
  readonly layer: (b: GraphBuilder, x: Tensor) => Tensor;
  readonly params: Record<string, HostTensor>;
  readonly lambda?: number;
}

const dense = { w: tensor([T, T], testData(10, T * T, -0.35, 0.35)), b: tensor([T], testData(11, T, -1, 0.3)) };
const sliding = { w: tensor([K], testData(12, K, -0.5, 1)), b: tensor([], -0.6) };

const variants: Variant[] = [
  { label: 'PSN', layer: (b, x) => buildPsn(b, x, psn(T)), params: dense },
  { label: 'masked PSN (parallel, λ = 0.5)', layer: (b, x) => buildMaskedPsn(b, x, maskedPsn(T, K)), params: dense, lambda: 0.5 },
  { label: 'masked PSN (step by step)', layer: (b, x) => buildMaskedPsn(b, x, maskedPsn(T, K, { mode: 'step' })), params: dense },
  { label: 'sliding PSN (parallel)', layer: (b, x) => buildSlidingPsn(b, x, slidingPsn(K)), params: sliding },
  { label: 'sliding PSN (step by step)', layer: (b, x) => buildSlidingPsn(b, x, slidingPsn(K, { mode: 'step' })), params: sliding },
];

describe.skipIf(skip)('PSN family parity, CPU reference vs WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  for (const variant of variants) {
    it(`${variant.label}: spikes and gradients w.r.t. W, b and X agree on [T = ${T}, 2000]`, async () => {
      const { device } = deviceOf(acquired);
      const model = trace((b) => {
        const x = b.input('x', SHAPE);
        const s = variant.layer(b, x);
        return { s, loss: s.mul(b.input('g', SHAPE)).sum() };
      });
      const g = grad(model, { of: 'loss', wrt: ['w', 'b', 'x'] });
      const feeds = {
        x: tensor(SHAPE, testData(20, SIZE, -1, 2)),
        g: tensor(SHAPE, testData(21, SIZE, -1, 1)),
        ...(variant.lambda === undefined ? {} : { lambda: tensor([], variant.lambda) }),
      };
      const cpu = evaluate(g, { inputs: feeds, params: variant.params }).outputs;
      const exe = await compile(g, device);
      exe.setParams(variant.params);
      const gpu = await exe.run(feeds);
      const rate = toArray(cpu.s!).reduce((a, v) => a + v, 0) / SIZE;
      expect(rate).toBeGreaterThan(0.05); // it really spikes, and not everywhere
      expect(rate).toBeLessThan(0.95);
      for (const name of ['s', 'loss', 'grad/w', 'grad/b', 'grad/x']) expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
      exe.destroy();
    });
  }
});
