// Reductions of a few outputs over a long range run as two dispatches (chunked partial results,
// then their combination); checked against the CPU interpreter.
import { evaluate, sizeOf, toArray, trace, type Graph, type Shape } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { splitReduction } from '../src/codegen/reduce.js';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the split reduction tests');

interface Case {
  readonly shape: Shape;
  readonly graph: (x: ReturnType<typeof input>) => ReturnType<typeof input>;
  readonly split: boolean;
}
const input = (b: Parameters<Parameters<typeof trace>[0]>[0], shape: Shape) => b.input('x', shape);

const cases: [string, Case][] = [
  ['whole-tensor sum of [300000]', { shape: [300000], graph: (x) => x.sum(), split: true }],
  ['mean over axis 0 of [70000, 3]', { shape: [70000, 3], graph: (x) => x.mean(0), split: true }],
  ['max over axis 0 of [40000, 2] with a fused prologue', { shape: [40000, 2], graph: (x) => x.mul(2).sub(2.5).max(0), split: true }],
  ['sum over the middle axis of [2, 20000, 3], keepDims', { shape: [2, 20000, 3], graph: (x) => x.sum(1, true), split: true }],
  ['many outputs stay one dispatch: sum over axis 1 of [128, 512]', { shape: [128, 512], graph: (x) => x.sum(1), split: false }],
];

describe.skipIf(skip)('split reductions on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it.for(cases)('matches the CPU: %s', async ([, c]) => {
    const { device } = deviceOf(acquired);
    const graph: Graph = trace((b) => ({ y: c.graph(input(b, c.shape)) }));
    // In [0.5, 1.5): every mean and sum is far from 0, so a wrong count or a dropped chunk shows.
    const inputs = { x: testData(21, sizeOf(c.shape), 0.5, 1.5) };
    const want = toArray(evaluate(graph, { inputs }, { precision: 'f64' }).outputs.y!);
    const exe = await compile(graph, device);
    expect(exe.stats.kernels.map((k) => k.kind)).toEqual(c.split ? ['reduce', 'reduce'] : ['reduce']);
    const got = toArray((await exe.run(inputs)).y!);
    expect(got.length).toBe(want.length);
    // float32 partial sums of at most a few thousand terms each, then combined: ~1e-6 relative.
    want.forEach((w, i) => expect(Math.abs(got[i]! - w) / Math.abs(w)).toBeLessThan(1e-5));
  });
});

describe('splitReduction', () => {
  it('splits only a few outputs over a long range, and never leaves a chunk empty', () => {
    expect(splitReduction(1, 1000)).toBeUndefined();
    expect(splitReduction(64, 1_000_000)).toBeUndefined();
    expect(splitReduction(1, 300_000)).toBe(64);
    expect(splitReduction(3, 70_000)).toBe(16);
    for (const count of [16_384, 16_385, 50_001, 1 << 20]) {
      const chunks = splitReduction(1, count)!;
      expect((chunks - 1) * Math.ceil(count / chunks)).toBeLessThan(count);
    }
  });
});
