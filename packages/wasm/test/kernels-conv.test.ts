import { describe, expect, it } from 'vitest';
import { evaluate, tensor, toArray, trace } from '@spikeflow/core';
import { i32 } from '../src/index.js';
import { im2colItems, im2colStatements, planConv, type ConvSpec } from '../src/kernels/conv.js';
import { convPath, directConvItems, directConvRefusal, directConvStatements, planDirectConv } from '../src/kernels/conv-direct.js';
import { matmulScratchBytes, multiplyItems, multiplyStatements, packAItems, packAStatements } from '../src/kernels/matmul-forms.js';
import { KernelLayout, readF32 } from './kernels-harness.js';
import { randomFloats } from './reference.js';

const f = Math.fround;
const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

async function runConv(spec: ConvSpec, x: Float32Array, w: Float32Array, threads: number): Promise<Float32Array> {
  const plan = planConv(spec);
  const scratch = matmulScratchBytes(plan.matmul);
  const layout = new KernelLayout();
  const xPtr = layout.place(x);
  const wPtr = layout.place(w);
  const packedA = layout.place(scratch.packedA / 4);
  const packedB = layout.place(scratch.packedB / 4);
  const outLength = spec.xShape[0]! * spec.wShape[0]! * size(plan.outSpatial);
  const out = layout.place(outLength);
  const c = i32.const;
  const view = await layout.run(
    [
      { items: packAItems(plan.matmul), body: (fn, lo, hi) => packAStatements(fn, plan.matmul, c(wPtr), c(packedA), lo, hi) },
      { items: im2colItems(plan), body: (fn, lo, hi) => im2colStatements(fn, plan, c(xPtr), c(packedB), lo, hi) },
      { items: multiplyItems(plan.matmul), body: (fn, lo, hi) => multiplyStatements(fn, plan.matmul, c(packedA), c(packedB), c(out), lo, hi) },
    ],
    threads,
  );
  return readF32(view, out, outLength);
}

async function runDirectConv(spec: ConvSpec, x: Float32Array, w: Float32Array, threads: number): Promise<Float32Array> {
  const plan = planDirectConv(spec, planConv(spec).outSpatial);
  const layout = new KernelLayout();
  const xPtr = layout.place(x);
  const wPtr = layout.place(w);
  const outLength = spec.xShape[0]! * spec.wShape[0]! * size(plan.outSpatial);
  const out = layout.place(outLength);
  const c = i32.const;
  const view = await layout.run([{ items: directConvItems(plan), body: (fn, lo, hi) => directConvStatements(fn, plan, c(xPtr), c(wPtr), c(out), lo, hi) }], threads);
  return readF32(view, out, outLength);
}

/** The convolution per output in the kernel's float32 order, from the primitive's definition: taps (ci, k) row-major, per K block from zero. */
function referenceF32(spec: ConvSpec, x: Float32Array, w: Float32Array, outSpatial: readonly number[], kBlock: number): { ordered: Float32Array; magnitude: number[] } {
  const [n, cin, ...s] = spec.xShape as number[];
  const [cout, cinG, ...k] = spec.wShape as number[];
  const g = spec.groups;
  const taps = cinG! * size(k);
  const ordered = new Float32Array(n! * cout! * size(outSpatial));
  const magnitude: number[] = [];
  const at = (idx: number, dims: readonly number[]) => dims.map((_, d) => Math.floor(idx / size(dims.slice(d + 1))) % dims[d]!);
  let i = 0;
  for (let b = 0; b < n!; b++) {
    for (let co = 0; co < cout!; co++) {
      const group = Math.floor(co / (cout! / g));
      for (let o = 0; o < size(outSpatial); o++) {
        const oi = at(o, outSpatial);
        let total = 0;
        let part = 0;
        let abs = 0;
        for (let p = 0; p < taps; p++) {
          const ci = Math.floor(p / size(k));
          const ki = at(p % size(k), k);
          const pos = ki.map((kk, d) => oi[d]! * spec.stride[d]! - spec.padding[d]![0] + kk * spec.dilation[d]!);
          const inside = pos.every((q, d) => q >= 0 && q < s[d]!);
          const xv = inside ? x[(b * cin! + group * cinG! + ci) * size(s) + pos.reduce((acc, q, d) => acc * s[d]! + q, 0)]! : 0;
          const term = xv * w[(co * cinG! + ci) * size(k) + (p % size(k))]!;
          part = f(part + f(term));
          abs += Math.abs(term);
          if ((p + 1) % kBlock === 0 || p === taps - 1) {
            total = p < kBlock ? part : f(total + part);
            part = 0;
          }
        }
        ordered[i++] = total;
        magnitude.push(abs);
      }
    }
  }
  return { ordered, magnitude };
}

type Case = { name: string; spec: ConvSpec };
const conv2d = (xShape: number[], wShape: number[], stride = [1, 1], padding: [number, number][] = [[0, 0], [0, 0]], dilation = [1, 1], groups = 1): Case => ({
  name: `conv2d x${JSON.stringify(xShape)} w${JSON.stringify(wShape)} stride ${stride} pad ${JSON.stringify(padding)} dil ${dilation} groups ${groups}`,
  spec: { xShape, wShape, stride, padding, dilation, groups },
});
const conv1d = (xShape: number[], wShape: number[], stride = 1, padding: [number, number] = [0, 0], dilation = 1, groups = 1): Case => ({
  name: `conv1d x${JSON.stringify(xShape)} w${JSON.stringify(wShape)} stride ${stride} pad ${padding} dil ${dilation} groups ${groups}`,
  spec: { xShape, wShape, stride: [stride], padding: [padding], dilation: [dilation], groups },
});

const CASES: readonly Case[] = [
  conv2d([2, 3, 9, 8], [5, 3, 3, 3]),
  conv2d([3, 2, 11, 11], [12, 2, 5, 5], [2, 2], [[2, 2], [2, 2]]),
  conv2d([1, 4, 7, 10], [6, 2, 3, 2], [1, 3], [[1, 0], [0, 2]], [2, 1], 2),
  conv2d([2, 6, 5, 5], [6, 1, 3, 3], [1, 1], [[1, 1], [1, 1]], [1, 1], 6),
  conv2d([1, 1, 4, 4], [1, 1, 1, 1]),
  conv2d([1, 20, 6, 6], [3, 20, 4, 4], [1, 1], [[0, 0], [0, 0]], [1, 1], 1),
  conv1d([2, 3, 17], [4, 3, 3]),
  conv1d([3, 4, 20], [6, 2, 4], 2, [3, 1], 2, 2),
  conv1d([1, 2, 5], [7, 2, 5], 1, [4, 4]),
  // Direct path: tiles of 8 and 4 outputs, channel blocks with a tail, padding edges, dilation along the last axis.
  conv2d([2, 2, 14, 34], [12, 2, 5, 5]),
  conv2d([1, 3, 9, 23], [7, 3, 3, 4], [2, 1], [[1, 2], [3, 2]], [1, 2]),
  conv2d([2, 4, 6, 13], [6, 2, 2, 3], [1, 1], [[0, 1], [1, 1]], [2, 1], 2),
  conv1d([3, 5, 40], [9, 5, 7], 1, [3, 3]),
];

describe.each([1, 2])('conv kernels on %i thread(s)', (threads) => {
  it.each(CASES)('$name: bit for bit the stated float32 order, within γ of the reference', async ({ spec }) => {
    const x = randomFloats(size(spec.xShape), size(spec.xShape) + 11);
    const w = randomFloats(size(spec.wShape), size(spec.wShape) + 13);
    const got = await runConv(spec, x, w, threads);
    const plan = planConv(spec);
    const { ordered, magnitude } = referenceF32(spec, x, w, plan.outSpatial, plan.matmul.tiling.kBlock);
    expect(got).toEqual(ordered);
    const graph = trace((b) => {
      const xs = b.input('x', spec.xShape);
      const ws = b.input('w', spec.wShape);
      const y =
        spec.xShape.length === 3
          ? xs.conv1d(ws, { stride: spec.stride[0], padding: spec.padding[0], dilation: spec.dilation[0], groups: spec.groups })
          : xs.conv2d(ws, { stride: spec.stride as [number, number], padding: spec.padding as [[number, number], [number, number]], dilation: spec.dilation as [number, number], groups: spec.groups });
      return { y };
    });
    const exact = toArray(evaluate(graph, { inputs: { x: tensor(spec.xShape, x), w: tensor(spec.wShape, w) } }, { precision: 'f32' }).outputs.y!);
    expect(exact).toHaveLength(got.length);
    const u = 2 ** -24;
    const k = plan.matmul.k + 1;
    got.forEach((value, i) => expect(Math.abs(value - exact[i]!)).toBeLessThanOrEqual(((k * u) / (1 - k * u)) * magnitude[i]!));
  });
});

describe.each([1, 2])('direct conv on %i thread(s)', (threads) => {
  it.each(CASES.filter(({ spec }) => directConvRefusal(spec) === undefined))('$name: the same bits as the im2col path', async ({ spec }) => {
    const x = randomFloats(size(spec.xShape), size(spec.xShape) + 11);
    const w = randomFloats(size(spec.wShape), size(spec.wShape) + 13);
    const got = await runDirectConv(spec, x, w, threads);
    const plan = planConv(spec);
    expect(got).toEqual(referenceF32(spec, x, w, plan.outSpatial, plan.matmul.tiling.kBlock).ordered);
  });
});

describe('conv plan', () => {
  it('takes the direct path only with stride 1 along the last axis, a short last kernel axis and taps within one K block', () => {
    expect(directConvRefusal(conv2d([1, 2, 9, 9], [3, 2, 3, 3], [1, 2]).spec)).toBe('the last spatial axis has stride > 1');
    expect(directConvRefusal(conv1d([1, 1, 40], [1, 1, 17]).spec)).toBe('the last kernel axis is longer than 16');
    expect(directConvRefusal(conv2d([1, 20, 6, 6], [3, 20, 4, 4]).spec)).toBe('more taps than one K block');
    expect(directConvRefusal(conv2d([1, 2, 9, 9], [3, 2, 3, 3], [2, 1]).spec)).toBeUndefined();
    expect(convPath(conv2d([256, 2, 34, 34], [12, 2, 5, 5]).spec)).toBe('direct');
    expect(convPath(conv2d([1, 8, 9, 9], [64, 8, 3, 3]).spec)).toBe('im2col');
    expect(convPath(conv2d([1, 8, 9, 9], [64, 4, 3, 3], [1, 1], [[0, 0], [0, 0]], [1, 1], 2).spec)).toBe('direct');
  });


  it('refuses channels that do not split into the groups and a kernel that does not fit', () => {
    expect(() => planConv(conv2d([1, 4, 5, 5], [4, 3, 3, 3], [1, 1], [[0, 0], [0, 0]], [1, 1], 2).spec)).toThrow("conv: channels 4 in, 4 out do not split into 2 groups of w's 3");
    expect(() => planConv(conv1d([1, 1, 3], [1, 1, 5]).spec)).toThrow('conv: the dilated kernel does not fit the padded input (output [-1])');
  });
});
