// The kernel primitives through the compiler (matmul in its forms, reductions with a fused
// prologue) against core's CPU reference in float32. Small integer inputs keep every sum exact in
// float32 whatever the order, so the results must agree bit for bit.
import { tensor, trace, type Graph, type Shape } from '@spikeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { compileWasmProgram } from '../src/compiler/compile.js';
import type { Step } from '../src/compiler/program.js';
import type { WasmExecutable } from '../src/runtime/executable.js';
import { bits, compiled, reference, values } from './support/compare.js';

const open: WasmExecutable[] = [];
afterEach(() => open.splice(0).forEach((e) => e.destroy()));

const size = (shape: Shape) => shape.reduce((n, d) => n * d, 1);

async function expectSameAsReference(graph: Graph, shapes: Readonly<Record<string, Shape>>, threads = 1): Promise<void> {
  const inputs = Object.fromEntries(Object.entries(shapes).map(([name, shape], k) => [name, tensor(shape, values(size(shape), 10 + k, true))]));
  const want = reference(graph, inputs);
  const exe = await compiled(graph, threads);
  open.push(exe);
  const got = await exe.run(inputs);
  for (const name of Object.keys(want)) {
    expect(got[name]!.type, name).toEqual(want[name]!.type);
    expect(bits(got[name]!), name).toEqual(bits(want[name]!));
  }
}

describe('kernel primitives through the WebAssembly compiler', () => {
  const forms: [string, Shape, Shape, boolean, boolean][] = [
    ['plain', [5, 7], [7, 9], false, false],
    ['transposed A', [7, 5], [7, 9], true, false],
    ['transposed B', [5, 7], [9, 7], false, true],
    ['both transposed', [7, 5], [9, 7], true, true],
    ['batched, batch dims broadcast', [2, 1, 5, 7], [3, 7, 6], false, false],
    ['one row, one column', [1, 300], [300, 1], false, false],
  ];
  for (const [name, aShape, bShape, transposeA, transposeB] of forms) {
    it(`matmul, ${name}`, async () => {
      const graph = trace((b) => {
        const x = b.input('a', aShape);
        const y = b.input('b', bShape);
        return { c: x.matmul(y, { transposeA, transposeB }) };
      });
      await expectSameAsReference(graph, { a: aShape, b: bShape });
    });
  }

  it('matmul of values computed by fused kernels (a transpose and a sum feeding it), on 2 threads', async () => {
    const graph = trace((b) => {
      const x = b.input('x', [48, 40]);
      const w = b.input('w', [64, 48]);
      return { y: x.add(1).transpose().matmul(w.transpose()).mul(2) };
    });
    await expectSameAsReference(graph, { x: [48, 40], w: [64, 48] }, 2);
  });

  it('a matmul of spikes skips their zeros, with the same bits as the dense kernels', async () => {
    const graph = trace((b) => {
      const v = b.input('v', [6, 40]);
      const w = b.input('w', [40, 9]);
      const d = b.input('d', [6, 9]);
      const s = v.spike();
      return { y: s.matmul(w), dw: s.matmul(d, { transposeA: true }) };
    });
    const labels = (skipSpikeZeros: boolean) => {
      const labelsOf = (steps: readonly Step[]): string[] => steps.flatMap((st) => (st.kind === 'kernel' ? [st.label] : st.kind === 'loop' ? labelsOf(st.body) : []));
      return labelsOf(compileWasmProgram(graph, { skipSpikeZeros }).steps).filter((l) => l.endsWith('/spikes'));
    };
    expect(labels(true)).toHaveLength(2);
    expect(labels(false)).toHaveLength(0);
    await expectSameAsReference(graph, { v: [6, 40], w: [40, 9], d: [6, 9] });
  });

  it('conv1d and conv2d with stride, padding, dilation and groups', async () => {
    const graph = trace((b) => {
      const x1 = b.input('x1', [2, 4, 11]);
      const w1 = b.input('w1', [6, 2, 3]);
      const x2 = b.input('x2', [2, 3, 9, 8]);
      const w2 = b.input('w2', [5, 3, 3, 2]);
      return {
        c1: x1.conv1d(w1, { stride: 2, padding: [1, 2], dilation: 2, groups: 2 }),
        c2: x2.conv2d(w2, { stride: [2, 1], padding: [[1, 0], [0, 1]], dilation: [1, 2] }).add(1),
      };
    });
    await expectSameAsReference(graph, { x1: [2, 4, 11], w1: [6, 2, 3], x2: [2, 3, 9, 8], w2: [5, 3, 3, 2] });
  });

  it('sum, max and mean over axes, with a fused prologue and keepDims', async () => {
    const graph = trace((b) => {
      const x = b.input('x', [3, 4, 5]);
      const sq = x.mul(x);
      return {
        all: sq.sum(),
        rows: x.sum(2),
        outer: x.sum([0, 2], true),
        peak: x.max([1, 2]),
        middle: x.max(1),
        mean: x.add(2).mean(0),
      };
    });
    await expectSameAsReference(graph, { x: [3, 4, 5] });
  });
});
