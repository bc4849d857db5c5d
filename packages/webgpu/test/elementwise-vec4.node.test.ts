// Elementwise kernels computing four elements per thread (a vec4 store where the output allows, a
// guarded scalar tail otherwise), against the CPU.
import { evaluate, sizeOf, toArray, trace, type Graph, type Shape } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { elementwiseKernel } from '../src/codegen/elementwise.js';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the vec4 elementwise tests');

interface Case {
  readonly shapes: readonly [Shape, Shape];
  readonly graph: (x: Shape, y: Shape) => Graph;
}

const fused = (x: Shape, y: Shape) => trace((g) => ({ z: g.input('x', x).mul(2).add(g.input('y', y)).tanh() }));
const cases: [string, Case][] = [
  ['a multiple of 4 [4, 64]', { shapes: [[4, 64], [4, 64]], graph: fused }],
  ['a tail of 3 [7, 9]', { shapes: [[7, 9], [7, 9]], graph: fused }],
  ['fewer than 4 elements [3]', { shapes: [[3], [3]], graph: fused }],
  ['broadcast on the innermost axis [6, 5] + [6, 1]', { shapes: [[6, 5], [6, 1]], graph: fused }],
  ['broadcast of a row [5, 12] + [12]', { shapes: [[5, 12], [12]], graph: fused }],
  ['a transposed view fused in [6, 10]ᵀ + [10, 6]', { shapes: [[6, 10], [10, 6]], graph: (x, y) => trace((g) => ({ z: g.input('x', x).transpose([1, 0]).sub(g.input('y', y)).abs() })) }],
  ['a bool output [9, 4] > [9, 4]', { shapes: [[9, 4], [9, 4]], graph: (x, y) => trace((g) => ({ z: g.input('x', x).greater(g.input('y', y)) })) }],
  ['a bool output with a tail [5, 3] > [5, 3]', { shapes: [[5, 3], [5, 3]], graph: (x, y) => trace((g) => ({ z: g.input('x', x).greater(g.input('y', y)) })) }],
];

describe.skipIf(skip)('vec4 elementwise kernels on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it.for(cases)('matches the CPU: %s', async ([, c]) => {
    const { device } = deviceOf(acquired);
    const graph = c.graph(...c.shapes);
    const inputs = { x: testData(31, sizeOf(c.shapes[0]), -2, 2), y: testData(32, sizeOf(c.shapes[1]), -2, 2) };
    const want = toArray(evaluate(graph, { inputs }).outputs.z!);
    const exe = await compile(graph, device);
    expect(exe.stats.kernels.map((k) => k.kind)).toEqual(['elementwise']);
    const got = toArray((await exe.run(inputs)).z!);
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => expect(Math.abs(w - got[i]!), `element ${i}`).toBeLessThan(1e-6));
  });
});

describe('vec4 elementwise codegen', () => {
  const kernelOf = (n: number) => {
    const graph = trace((g) => ({ y: g.input('x', [n]).mul(2) }));
    const members = Object.keys(graph.nodes).filter((id) => graph.nodes[id]!.op !== 'input');
    return elementwiseKernel(graph, graph.outputs[0]!.node, members, graph.inputs);
  };

  it('stores vec4s when the size is a multiple of 4, and guarded scalars otherwise', () => {
    expect(kernelOf(16).code).toContain('out: array<vec4<f32>>');
    expect(kernelOf(16).workgroups).toEqual([1, 1, 1]);
    expect(kernelOf(18).code).toContain('out: array<f32>');
    // The guard's bound, 18 elements, is a slot of the kernel's size table.
    const guard = /if \(i \+ x >= dims\[(\d+)u\]\) \{ return; \}/.exec(kernelOf(18).code);
    expect(guard).not.toBeNull();
    expect(kernelOf(18).sizes![Number(guard![1])]).toBe(18);
    // 16M elements: 4M threads in workgroups of 256.
    expect(kernelOf(16 * 1024 * 1024).workgroups).toEqual([16384, 1, 1]);
  });
});
