import { describe, expect, it } from 'vitest';
import { evaluate, tensor, toArray, trace } from '@spikeflow/core';
import { i32 } from '../src/index.js';
import { matmulScratchBytes, multiplyItems, multiplyStatements, packAItems, packAStatements, packBItems, packBStatements, planMatmul, type MatmulSpec } from '../src/kernels/matmul-forms.js';
import { planSpikeMatmul, spikeItems, spikeMatmulStatements, spikeMatmulUnpackedStatements, spikeNeedsPackedB, spikeTransposeItems, spikeTransposeScratchBytes, spikeTransposeStatements, untransposedSpikeSpec } from '../src/kernels/matmul-spike.js';
import { KernelLayout, readF32, type Stage } from './kernels-harness.js';
import { randomFloats } from './reference.js';

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** 0/1 spikes, about `density` of them ones. */
const spikes = (length: number, seed: number, density: number) => Float32Array.from(randomFloats(length, seed), (x) => (x * 0.5 + 0.5 < density ? 1 : 0));

/** The spike product and the dense product of the same operands, from one module. */
async function runBoth(spec: MatmulSpec, s: Float32Array, b: Float32Array, threads: number): Promise<{ sparse: Float32Array; dense: Float32Array; unpacked?: Float32Array; viaCopy?: Float32Array }> {
  const sparsePlan = planSpikeMatmul(spec);
  const densePlan = planMatmul(spec);
  const layout = new KernelLayout();
  const sPtr = layout.place(s);
  const bPtr = layout.place(b);
  const outLength = size(densePlan.batch) * densePlan.m * densePlan.n;
  const sparsePacked = layout.place(matmulScratchBytes(sparsePlan).packedB / 4);
  const sparseOut = layout.place(outLength);
  const unpackedOut = spikeNeedsPackedB(sparsePlan) ? undefined : layout.place(outLength);
  // Sᵀ·B through a transposed copy of S, then the one-row walk.
  const copyPlan = planSpikeMatmul(untransposedSpikeSpec(spec));
  const viaCopy = spec.transposeA && !spec.transposeB ? { copy: layout.place(spikeTransposeScratchBytes(sparsePlan) / 4), out: layout.place(outLength) } : undefined;
  const dense = matmulScratchBytes(densePlan);
  const packedA = layout.place(dense.packedA / 4);
  const packedB = layout.place(dense.packedB / 4);
  const denseOut = layout.place(outLength);
  const c = i32.const;
  const stages: Stage[] = [
    { items: packBItems(sparsePlan), body: (fn, lo, hi) => packBStatements(fn, sparsePlan, c(bPtr), c(sparsePacked), lo, hi) },
    { items: spikeItems(sparsePlan), body: (fn, lo, hi) => spikeMatmulStatements(fn, sparsePlan, c(sPtr), c(sparsePacked), c(sparseOut), lo, hi) },
    ...(unpackedOut === undefined ? [] : [{ items: spikeItems(sparsePlan), body: (fn, lo, hi) => spikeMatmulUnpackedStatements(fn, sparsePlan, c(sPtr), c(bPtr), c(unpackedOut), lo, hi) } satisfies Stage]),
    ...(viaCopy === undefined
      ? []
      : [
          { items: spikeTransposeItems(sparsePlan), body: (fn, lo, hi) => spikeTransposeStatements(fn, sparsePlan, c(sPtr), c(viaCopy.copy), lo, hi) } satisfies Stage,
          { items: spikeItems(copyPlan), body: (fn, lo, hi) => spikeMatmulUnpackedStatements(fn, copyPlan, c(viaCopy.copy), c(bPtr), c(viaCopy.out), lo, hi) } satisfies Stage,
        ]),
    { items: packAItems(densePlan), body: (fn, lo, hi) => packAStatements(fn, densePlan, c(sPtr), c(packedA), lo, hi) },
    { items: packBItems(densePlan), body: (fn, lo, hi) => packBStatements(fn, densePlan, c(bPtr), c(packedB), lo, hi) },
    { items: multiplyItems(densePlan), body: (fn, lo, hi) => multiplyStatements(fn, densePlan, c(packedA), c(packedB), c(denseOut), lo, hi) },
  ];
  const view = await layout.run(stages, threads);
  return { sparse: readF32(view, sparseOut, outLength), dense: readF32(view, denseOut, outLength), unpacked: unpackedOut === undefined ? undefined : readF32(view, unpackedOut, outLength), viaCopy: viaCopy === undefined ? undefined : readF32(view, viaCopy.out, outLength) };
}

const t = (aShape: number[], bShape: number[], transposeA = false, transposeB = false): MatmulSpec => ({ aShape, bShape, transposeA, transposeB });

const SPECS: readonly MatmulSpec[] = [
  t([7, 300], [300, 40]),
  t([1, 17], [17, 3]),
  t([5, 33], [33, 64]),
  t([300, 6], [300, 9], true),
  t([6, 20], [70, 20], false, true),
  t([2, 3, 9, 30], [30, 13]),
  t([9, 30], [2, 30, 5]),
  t([3, 1, 25, 8], [1, 2, 37, 25], true, true),
  // S transposed: full and partial row quads, tail panels of vectors and scalars, K over two blocks.
  t([600, 7], [600, 19], true),
  t([40, 8], [40, 3], true),
  t([2, 33, 5], [33, 14], true),
  t([1, 300], [300, 70]),
];

describe.each([1, 2])('spike matmul on %i thread(s)', (threads) => {
  it.each(SPECS)('%j: bit for bit the dense kernel on the same 0/1 matrix, within γ_k of the reference', async (spec) => {
    for (const density of [0, 0.15, 1]) {
      const s = spikes(size(spec.aShape), size(spec.aShape) + 1, density);
      const b = randomFloats(size(spec.bShape), size(spec.bShape) + 2);
      const { sparse, dense, unpacked, viaCopy } = await runBoth(spec, s, b, threads);
      expect(sparse, `density ${density}`).toEqual(dense);
      if (unpacked !== undefined) expect(unpacked, `density ${density}, B unpacked`).toEqual(dense);
      if (viaCopy !== undefined) expect(viaCopy, `density ${density}, S transposed into a copy`).toEqual(dense);
      expect(viaCopy !== undefined).toBe(spec.transposeA && !spec.transposeB);
      const graph = trace((g) => ({ y: g.input('s', spec.aShape).matmul(g.input('b', spec.bShape), { transposeA: spec.transposeA, transposeB: spec.transposeB }) }));
      const exact = toArray(evaluate(graph, { inputs: { s: tensor(spec.aShape, s), b: tensor(spec.bShape, b) } }, { precision: 'f32' }).outputs.y!);
      const k = planMatmul(spec).k;
      const u = 2 ** -24;
      // Σ|s·b| ≤ Σ|b| over the row's k: a loose but valid scale for the error bound.
      const bound = (((k + 1) * u) / (1 - (k + 1) * u)) * b.reduce((x, y) => x + Math.abs(y), 0);
      sparse.forEach((value, i) => expect(Math.abs(value - exact[i]!)).toBeLessThanOrEqual(bound));
      if (density === 0) expect(sparse.every((x) => x === 0)).toBe(true);
    }
  });

  it('multiplies a non-zero entry that is not 1, and skips a zero facing an infinite B', async () => {
    const s = new Float32Array([0, 2, 0.5, 0]);
    const b = new Float32Array([Infinity, 1, 3, 4, 5, 6, -Infinity, 8]);
    const { sparse, unpacked } = await runBoth(t([1, 4], [4, 2]), s, b, threads);
    expect(Array.from(sparse)).toEqual([2 * 3 + 0.5 * 5, 2 * 4 + 0.5 * 6]);
    expect(Array.from(unpacked!)).toEqual([2 * 3 + 0.5 * 5, 2 * 4 + 0.5 * 6]);
  });
});
