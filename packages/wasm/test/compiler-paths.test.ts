// The compiler's choice of kernel path: each faster path (direct convolution, the unpacked small-M
// matmul, the spike product reading B unpacked and copying Sᵀ, split whole-tensor reductions) is
// shown taken by the program's kernel labels, and its results equal core's CPU reference bit for
// bit on small integer data (every sum exact in float32 whatever the order).
import { tensor, trace, type DType, type Graph, type Shape } from '@spikeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { compileWasmProgram, type WasmProgramOptions } from '../src/compiler/compile.js';
import type { Step } from '../src/compiler/program.js';
import { spawnNodeWorker } from '../src/node.js';
import { WasmExecutable } from '../src/runtime/executable.js';
import { bits, reference, values } from './support/compare.js';

const open: WasmExecutable[] = [];
afterEach(() => open.splice(0).forEach((e) => e.destroy()));

const size = (shape: Shape) => shape.reduce((n, d) => n * d, 1);

/** Every kernel label of a graph's program, loops walked. */
function labels(graph: Graph, options: WasmProgramOptions = {}): string[] {
  const of = (steps: readonly Step[]): string[] => steps.flatMap((s) => (s.kind === 'kernel' ? [s.label] : s.kind === 'loop' ? of(s.body) : []));
  return of(compileWasmProgram(graph, options).steps);
}

/** The kernels of what was traced in `scope`, labelled `op` or `op/stage` (the scope dropped). */
const stagesOf = (graph: Graph, scope: string, options: WasmProgramOptions = {}): string[] =>
  labels(graph, options)
    .filter((l) => l.startsWith(`${scope}/`))
    .map((l) => l.slice(scope.length + 1));

async function expectSameAsReference(graph: Graph, shapes: Readonly<Record<string, Shape | [Shape, DType]>>, threads = 1, options: WasmProgramOptions = {}): Promise<void> {
  const inputs = Object.fromEntries(
    Object.entries(shapes).map(([name, given], k) => {
      const [shape, dtype] = Array.isArray(given[0]) ? (given as [Shape, DType]) : [given as Shape, 'f32' as DType];
      return [name, tensor(shape, values(size(shape), 20 + k, true), dtype)];
    }),
  );
  const want = reference(graph, inputs);
  const exe = await WasmExecutable.create(graph, { ...options, threads, spawn: spawnNodeWorker });
  open.push(exe);
  const got = await exe.run(inputs);
  for (const name of Object.keys(want)) {
    expect(got[name]!.type, name).toEqual(want[name]!.type);
    expect(bits(got[name]!), name).toEqual(bits(want[name]!));
  }
}

describe('the compiler picks the fast kernel paths', () => {
  it('convolutions with stride 1 along the last axis and few channels take the direct path, others im2col', async () => {
    const graph = trace((b) => {
      const x1 = b.input('x1', [2, 4, 19]);
      const w1 = b.input('w1', [6, 2, 3]);
      const x2 = b.input('x2', [2, 3, 9, 13]);
      const w2 = b.input('w2', [5, 3, 3, 3]);
      const w3 = b.input('w3', [40, 3, 3, 3]);
      return {
        direct1: b.scope('direct1', () => x1.conv1d(w1, { padding: [2, 1], groups: 2 })),
        direct2: b.scope('direct2', () => x2.conv2d(w2, { stride: [2, 1], padding: [[1, 1], [1, 2]] })),
        strided: b.scope('strided', () => x2.conv2d(w2, { stride: [1, 2], padding: [[1, 1], [1, 1]] })),
        wide: b.scope('wide', () => x2.conv2d(w3, { padding: [[1, 1], [1, 1]] })),
      };
    });
    const stages = (scope: string) => stagesOf(graph, scope);
    expect(stages('direct1')).toEqual(['conv1d/direct']);
    expect(stages('direct2')).toEqual(['conv2d/direct']);
    expect(stages('strided')).toEqual(['conv2d/packA', 'conv2d/im2col', 'conv2d']);
    expect(stages('wide')).toEqual(['conv2d/packA', 'conv2d/im2col', 'conv2d']);
    await expectSameAsReference(graph, { x1: [2, 4, 19], w1: [6, 2, 3], x2: [2, 3, 9, 13], w2: [5, 3, 3, 3], w3: [40, 3, 3, 3] });
  });

  it('a matmul of at most 4 rows with B as stored reads B unpacked; 5 rows or B transposed pack', async () => {
    const forms: [string, Shape, Shape, boolean, boolean, string][] = [
      ['m1', [1, 70], [70, 45], false, false, 'rows'],
      ['m2', [2, 300], [300, 19], false, false, 'rows'],
      ['m3t', [33, 3], [33, 37], true, false, 'rows'],
      ['m4b', [3, 1, 4, 9], [2, 9, 13], false, false, 'rows'],
      ['m5', [5, 9], [9, 13], false, false, 'packed'],
      ['m2bt', [2, 9], [13, 9], false, true, 'packed'],
    ];
    const graph = trace((b) => Object.fromEntries(forms.map(([name, aShape, bShape, transposeA, transposeB]) => [name, b.scope(name, () => b.input(`${name}a`, aShape).matmul(b.input(`${name}b`, bShape), { transposeA, transposeB }))])));
    for (const [name, , , , , path] of forms) expect(stagesOf(graph, name), name).toEqual(path === 'rows' ? ['matmul/rows'] : ['matmul/packA', 'matmul/packB', 'matmul']);
    await expectSameAsReference(graph, Object.fromEntries(forms.flatMap(([name, aShape, bShape]) => [[`${name}a`, aShape], [`${name}b`, bShape]])), 2);
  });

  it('a spike product reads B as stored, copies Sᵀ for the one-row walk, and packs only a transposed B', async () => {
    const graph = trace((b) => {
      const v = b.input('v', [12, 40]);
      const w = b.input('w', [40, 9]);
      const wt = b.input('wt', [9, 40]);
      const d = b.input('d', [12, 9]);
      const dt = b.input('dt', [9, 12]);
      const s = v.spike();
      return {
        y: b.scope('y', () => s.matmul(w)),
        yt: b.scope('yt', () => s.matmul(wt, { transposeB: true })),
        dw: b.scope('dw', () => s.matmul(d, { transposeA: true })),
        dwt: b.scope('dwt', () => s.matmul(dt, { transposeA: true, transposeB: true })),
      };
    });
    const stages = (scope: string) => stagesOf(graph, scope);
    expect(stages('y')).toEqual(['matmul/spikes']);
    expect(stages('yt')).toEqual(['matmul/packB', 'matmul/spikes']);
    expect(stages('dw')).toEqual(['matmul/spikesT', 'matmul/spikes']);
    expect(stages('dwt')).toEqual(['matmul/spikesT', 'matmul/packB', 'matmul/spikes']);
    await expectSameAsReference(graph, { v: [12, 40], w: [40, 9], wt: [9, 40], d: [12, 9], dt: [9, 12] });
    await expectSameAsReference(graph, { v: [12, 40], w: [40, 9], wt: [9, 40], d: [12, 9], dt: [9, 12] }, 2);
    // S is 12 × 40 floats: with less scratch allowed than its copy, Sᵀ·B walks S's columns as stored.
    const noCopy = { spikeTransposeMaxBytes: 12 * 40 * 4 - 1 };
    expect(stagesOf(graph, 'dw', noCopy)).toEqual(['matmul/spikes']);
    expect(stagesOf(graph, 'dwt', noCopy)).toEqual(['matmul/packB', 'matmul/spikes']);
    expect(stagesOf(graph, 'dw', { spikeTransposeMaxBytes: 12 * 40 * 4 })).toEqual(['matmul/spikesT', 'matmul/spikes']);
    await expectSameAsReference(graph, { v: [12, 40], w: [40, 9], wt: [9, 40], d: [12, 9], dt: [9, 12] }, 2, noCopy);
  });

  it('a whole-tensor reduction past one chunk splits into partials and a combine, on 1 and 2 threads', async () => {
    const graph = trace((b) => {
      const x = b.input('x', [150, 130]);
      const n = b.input('n', [3, 7000], 'i32');
      return {
        squares: b.scope('squares', () => x.mul(x).sum()),
        peak: b.scope('peak', () => x.add(1).max([0, 1], true)),
        mean: b.scope('mean', () => x.mean()),
        count: b.scope('count', () => n.sum()),
        small: b.scope('small', () => x.slice([0, 0], [100, 130]).sum()),
        rows: b.scope('rows', () => x.sum(1)),
      };
    });
    const op = { squares: 'sum', peak: 'max', mean: 'mean', count: 'sum', small: 'sum', rows: 'sum' } as const;
    for (const scope of ['squares', 'peak', 'mean', 'count'] as const) expect(stagesOf(graph, scope), scope).toEqual([`${op[scope]}/partials`, `${op[scope]}/combine`]);
    // 13,000 elements fit one chunk; a reduction with several outputs is not split.
    for (const scope of ['small', 'rows'] as const) expect(stagesOf(graph, scope), scope).toEqual([op[scope]]);
    await expectSameAsReference(graph, { x: [150, 130], n: [[3, 7000], 'i32'] });
    await expectSameAsReference(graph, { x: [150, 130], n: [[3, 7000], 'i32'] }, 2);
  });
});
