// The conv1d / conv2d layers against a direct-loop convolution written here (never core's CPU
// rule), their gradients against central finite differences, PyTorch's init bounds and spec errors.
import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, SpikeflowError, tensor, toArray, trace, type Graph, type HostTensor, type GraphBuilder, nodesOf, type Tensor, type TensorType } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { buildConv1d, buildConv2d, buildLif, buildSequential, conv1d, conv2d, lif, sequential, standardLayers, type Conv1dSpec, type Conv2dSpec } from '../src/index.js';
import { testData } from '../../../test/support/test-data.js';
import { finiteDiff } from './support/finite-difference.js';

type Pair = [number, number];
type ConvSpec = Conv1dSpec | Conv2dSpec;

// --- independent reference -----------------------------------------------------------------------

/** Per-axis geometry of a 2-d convolution; a 1-d one is the 2-d one over an image of height 1. */
interface Geometry {
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly padding: [Pair, Pair];
  readonly dilation: Pair;
  readonly groups: number;
}

const both = (v: number | readonly number[]): Pair => (typeof v === 'number' ? [v, v] : [v[0]!, v[1]!]);

function geometryOf(spec: ConvSpec): Geometry {
  if (spec.kind === 'conv1d') {
    return { kernel: [1, spec.kernel], stride: [1, spec.stride], padding: [[0, 0], both(spec.padding)], dilation: [1, spec.dilation], groups: spec.groups };
  }
  const p = spec.padding;
  const padding: [Pair, Pair] = typeof p === 'number' ? [[p, p], [p, p]] : typeof p[0] === 'number' ? [both(p[0]), both(p[1] as number)] : [both(p[0]), both(p[1] as Pair)];
  return { kernel: both(spec.kernel), stride: both(spec.stride), padding, dilation: both(spec.dilation), groups: spec.groups };
}

/**
 * y[n][o][i][j] = bias[o] + Σ_c Σ_p Σ_q w[o][c][p][q] · x[n][group(o)·Cg + c][i·sh − top + p·dh][j·sw − left + q·dw],
 * with x zero outside the image (PyTorch's cross-correlation). x is [N, C, H, W], w [O, Cg, KH, KW].
 */
function directConv2d(x: number[], [N, C, H, W]: number[], w: number[], O: number, bias: number[] | undefined, g: Geometry): { y: number[]; shape: number[] } {
  const [KH, KW] = g.kernel;
  const Cg = C! / g.groups;
  const Og = O / g.groups;
  const OH = Math.floor((H! + g.padding[0][0] + g.padding[0][1] - g.dilation[0] * (KH - 1) - 1) / g.stride[0]) + 1;
  const OW = Math.floor((W! + g.padding[1][0] + g.padding[1][1] - g.dilation[1] * (KW - 1) - 1) / g.stride[1]) + 1;
  const y: number[] = [];
  for (let n = 0; n < N!; n++) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          let acc = bias?.[o] ?? 0;
          for (let c = 0; c < Cg; c++) {
            const channel = Math.floor(o / Og) * Cg + c;
            for (let p = 0; p < KH; p++) {
              for (let q = 0; q < KW; q++) {
                const r = i * g.stride[0] - g.padding[0][0] + p * g.dilation[0];
                const s = j * g.stride[1] - g.padding[1][0] + q * g.dilation[1];
                if (r < 0 || r >= H! || s < 0 || s >= W!) continue;
                acc += w[((o * Cg + c) * KH + p) * KW + q]! * x[((n * C! + channel) * H! + r) * W! + s]!;
              }
            }
          }
          y.push(acc);
        }
      }
    }
  }
  return { y, shape: [N!, O, OH, OW] };
}

/** The reference for a layer input of either rank: time-major inputs convolve each step on its own. */
function reference(spec: ConvSpec, xShape: number[], x: number[], w: number[], bias: number[] | undefined): number[] {
  const g = geometryOf(spec);
  const spatial = spec.kind === 'conv1d' ? 1 : 2;
  const multiStep = xShape.length === spatial + 3;
  const steps = multiStep ? xShape[0]! : 1;
  const [B, C, ...S] = multiStep ? xShape.slice(1) : xShape;
  const image = spatial === 1 ? [B!, C!, 1, S[0]!] : [B!, C!, S[0]!, S[1]!];
  const perStep = x.length / steps;
  return Array.from({ length: steps }, (_, t) => directConv2d(x.slice(t * perStep, (t + 1) * perStep), image, w, spec.out, bias, g).y).flat();
}

// --- running the layer ---------------------------------------------------------------------------

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const buildLayer = (b: GraphBuilder, x: Tensor, spec: ConvSpec) => (spec.kind === 'conv1d' ? buildConv1d(b, x, spec) : buildConv2d(b, x, spec));

/** The layer in scope `conv`, with loss = Σ y²·G / 2 (G fixed weights), so gradients are not constant. */
function layerGraph(spec: ConvSpec, xShape: number[]): Graph {
  return trace((b) => {
    const y = b.scope('conv', () => buildLayer(b, b.input('x', xShape), spec));
    return { y, loss: y.mul(y).mul(b.input('g', y.shape)).sum().div(2) };
  });
}

function paramValues(spec: ConvSpec, seed: number): { w: number[]; bias: number[] | undefined; feeds: Record<string, HostTensor> } {
  const wShape = [spec.out, spec.in / spec.groups, ...geometryOf(spec).kernel.slice(spec.kind === 'conv1d' ? 1 : 0)];
  const w = testData(seed, size(wShape), -1, 1);
  const bias = spec.bias ? testData(seed + 1, spec.out, -1, 1) : undefined;
  return { w, bias, feeds: { 'conv/w': tensor(wShape, w, 'f32', 'f64'), ...(bias ? { 'conv/b': tensor([spec.out], bias, 'f32', 'f64') } : {}) } };
}

function outputShape(g: Graph, name: string): number[] {
  return [...(g.nodes[g.outputs.find((o) => o.name === name)!.node]!.type as TensorType).shape];
}

function run(g: Graph, inputs: Record<string, number[]>, params: Record<string, HostTensor>): Record<string, number[]> {
  const out = evaluate(g, { inputs, params }, { precision: 'f64' }).outputs;
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, toArray(v)]));
}

const maxDiff = (a: readonly number[], b: readonly number[]) => (a.length !== b.length ? Infinity : Math.max(...a.map((v, k) => Math.abs(v - b[k]!))));

const cases: [string, ConvSpec, number[]][] = [
  ['conv1d, defaults (bias on)', conv1d(3, 4, 3), [2, 3, 9]],
  ['conv1d, stride 2, padding [2, 1], dilation 2, groups 2', conv1d(4, 6, 3, { stride: 2, padding: [2, 1], dilation: 2, groups: 2 }), [2, 4, 13]],
  ['conv1d depthwise, padding 1, no bias', conv1d(4, 4, 2, { groups: 4, padding: 1, bias: false }), [3, 4, 7]],
  ['conv2d, padding 1', conv2d(2, 3, 3, { padding: 1 }), [2, 2, 5, 6]],
  ['conv2d, kernel [3, 2], stride [2, 1], padding [[1, 0], [2, 1]], dilation [1, 2], groups 2', conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [[1, 0], [2, 1]], dilation: [1, 2], groups: 2 }), [2, 4, 9, 8]],
  ['conv2d depthwise, stride 2, dilation 2, padding [2, 1], no bias', conv2d(3, 3, 3, { stride: 2, dilation: 2, groups: 3, padding: [2, 1], bias: false }), [1, 3, 10, 9]],
];

describe('conv layers against a direct-loop convolution', () => {
  it.each(cases)('%s: single-step [B, C, ...] and time-major [T, B, C, ...] inputs', (_, spec, stepShape) => {
    const { w, bias, feeds } = paramValues(spec, 11);
    for (const xShape of [stepShape, [3, ...stepShape]]) {
      const x = testData(5, size(xShape), -1, 1);
      const g = layerGraph(spec, xShape);
      const y = run(g, { x, g: new Array(size(outputShape(g, 'y'))).fill(1) }, feeds).y!;
      const expected = reference(spec, xShape, x, w, bias);
      expect(y.length, `output size for x ${JSON.stringify(xShape)}`).toBe(expected.length);
      expect(maxDiff(y, expected), `x ${JSON.stringify(xShape)}`).toBeLessThan(1e-12);
    }
  });

  it('keeps the time and batch axes of a time-major input: [T, B, Cout, ...O]', () => {
    expect(outputShape(layerGraph(conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [[1, 0], [2, 1]], dilation: [1, 2], groups: 2 }), [3, 2, 4, 9, 8]), 'y')).toEqual([3, 2, 6, 4, 9]);
    expect(outputShape(layerGraph(conv1d(3, 5, 3), [4, 2, 3, 9]), 'y')).toEqual([4, 2, 5, 7]);
  });
});

describe('conv layer gradients against central finite differences (f64)', () => {
  it.each([cases[1]!, cases[4]!])('%s, time-major input', (_, spec, stepShape) => {
    const xShape = [2, ...stepShape];
    const model = layerGraph(spec, xShape);
    const x = testData(21, size(xShape), -1, 1);
    const gw = testData(22, size(outputShape(model, 'y')), -1, 1);
    const { w, bias, feeds } = paramValues(spec, 23);
    const wrt = ['conv/w', 'x', ...(bias ? ['conv/b'] : [])];
    const got = run(grad(model, { of: 'loss', wrt }), { x, g: gw }, feeds);

    const lossAt = (wv: number[], bv: number[] | undefined, xv: number[]) =>
      run(model, { x: xv, g: gw }, { ...feeds, 'conv/w': tensor(feeds['conv/w']!.type.shape, wv, 'f32', 'f64'), ...(bv ? { 'conv/b': tensor([spec.out], bv, 'f32', 'f64') } : {}) }).loss![0]!;
    const expected: Record<string, number[]> = {
      'conv/w': finiteDiff((v) => lossAt(v, bias, x), w),
      x: finiteDiff((v) => lossAt(w, bias, v), x),
      ...(bias ? { 'conv/b': finiteDiff((v) => lossAt(w, v, x), bias) } : {}),
    };
    for (const name of wrt) {
      const scale = Math.max(1, ...expected[name]!.map(Math.abs));
      expect(maxDiff(got[`grad/${name}`]!, expected[name]!) / scale, `grad/${name}`).toBeLessThan(1e-7);
    }
  });
});

describe('conv layer init', () => {
  /** PyTorch's kaiming_uniform_(w, a=√5): gain √(2/(1 + a²)), std gain/√fan_in, bound √3·std; the bias uses 1/√fan_in. */
  const torchBound = (fanIn: number) => Math.sqrt(3) * (Math.sqrt(2 / (1 + 5)) / Math.sqrt(fanIn));

  it.each([
    ['conv2d(6, 4, [3, 2], groups 2)', conv2d(6, 4, [3, 2], { groups: 2 }), [2, 6, 5, 5], (6 / 2) * 3 * 2, 1],
    ['conv1d(4, 8, 5), initScale 2', conv1d(4, 8, 5, { initScale: 2 }), [2, 4, 9], 4 * 5, 2],
  ] as const)('%s: weight and bias U(±scale/√fan_in), fan_in = in/groups · prod(kernel)', (_, spec, xShape, fanIn, scale) => {
    const model = layerGraph(spec, [...xShape]);
    const bound = scale * torchBound(fanIn);
    expect(bound).toBeCloseTo(scale / Math.sqrt(fanIn), 14);
    const attrs = (name: string) => nodesOf(model, 'param').find((n) => n.attrs.name === name)!.attrs;
    for (const name of ['conv/w', 'conv/b']) {
      const init = attrs(name).init as { kind: string; low: number; high: number };
      expect(init.kind, name).toBe('uniform');
      expect(init.low, name).toBeCloseTo(-bound, 14);
      expect(init.high, name).toBeCloseTo(bound, 14);
    }
    expect(attrs('conv/w').shape).toEqual([spec.out, spec.in / spec.groups, ...geometryOf(spec).kernel.slice(spec.kind === 'conv1d' ? 1 : 0)]);
    expect(attrs('conv/b').shape).toEqual([spec.out]);
    // The drawn values fill the interval: inside it, and the weights reach close to its ends.
    const values = toArray(initParams(model, { seed: 3 })['conv/w']!);
    expect(Math.max(...values.map(Math.abs))).toBeLessThan(bound);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.85 * bound);
    expect(Math.min(...values)).toBeLessThan(0);
  });
});

describe('conv layer specs', () => {
  const input = { name: 'x', shape: [3, 2, 2, 6, 6] };

  it('give exactly the graph traced by hand with buildConv2d / buildConv1d', () => {
    const spec = sequential([conv2d(2, 4, 3, { padding: 1, stride: 2 }), lif(), conv2d(4, 2, [1, 2], { groups: 2, bias: false })]);
    const declarative = buildSequential(spec, { input, library: standardLayers });
    const traced = trace((b) => {
      let x = b.input('x', input.shape);
      x = b.scope('conv2d0', () => buildConv2d(b, x, conv2d(2, 4, 3, { padding: 1, stride: 2 })));
      x = b.scope('lif1', () => buildLif(b, x, lif()));
      return { output: b.scope('conv2d2', () => buildConv2d(b, x, conv2d(4, 2, [1, 2], { groups: 2, bias: false }))) };
    });
    expect(declarative).toEqual(traced);
    const oneD = buildSequential(sequential([conv1d(2, 3, 2)]), { input: { name: 'x', shape: [4, 2, 5] }, library: standardLayers });
    expect(oneD).toEqual(
      trace((b) => {
        const x = b.input('x', [4, 2, 5]);
        return { output: b.scope('conv1d0', () => buildConv1d(b, x, conv1d(2, 3, 2))) };
      }),
    );
  });

  it('fill PyTorch-like defaults from the JSON form: stride 1, padding 0, dilation 1, groups 1, bias on', () => {
    expect(conv2d(2, 4, 3)).toEqual({ kind: 'conv2d', in: 2, out: 4, kernel: 3, stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, initScale: 1 });
    const fromText = buildSequential(JSON.stringify({ kind: 'sequential', layers: [{ kind: 'conv2d', in: 2, out: 4, kernel: [3, 3] }] }), { input, library: standardLayers });
    expect(fromText).toEqual(buildSequential(sequential([conv2d(2, 4, [3, 3])]), { input, library: standardLayers }));
  });

  it('reject bad fields, naming them, in JSON and in code', () => {
    const bad = (layer: object) => () => buildSequential(JSON.stringify({ kind: 'sequential', layers: [layer] }), { input, library: standardLayers });
    expect(bad({ kind: 'conv2d', in: 2, out: 3, kernel: 3, groups: 2 })).toThrow(/layers\[0\]\.groups.*groups \(2\) must divide the output channels \(3\)/);
    expect(bad({ kind: 'conv2d', in: 2, out: 4, kernel: 0 })).toThrow(/layers\[0\]\.kernel/);
    expect(bad({ kind: 'conv2d', in: 2, out: 4, kernel: 3, padding: [1, -1] })).toThrow(/layers\[0\]\.padding/);
    expect(bad({ kind: 'conv1d', in: 2, out: 4 })).toThrow(/layers\[0\]\.kernel/);
    expect(bad({ kind: 'conv1d', in: 2, out: 4, kernel: 2, stride: 1.5 })).toThrow(/layers\[0\]\.stride/);

    expect(() => conv2d(6, 4, 3, { groups: 4 })).toThrow(SpikeflowError);
    expect(() => conv2d(6, 4, 3, { groups: 4 })).toThrow(/at 'conv2d\.groups'.*groups \(4\) must divide the input channels \(6\); found 4/);
    expect(() => conv1d(2, 2, 3, { dilation: 0 })).toThrow(/at 'conv1d\.dilation'/);
    expect(() => conv1d(2, 2, 3, { initScale: -1 })).toThrow(/at 'conv1d\.initScale'/);
  });

  it('reject inputs of the wrong rank or channel count, naming the layer', () => {
    const model = (shape: number[], layer: ConvSpec) => () => buildSequential(sequential([layer]), { input: { name: 'x', shape }, library: standardLayers });
    expect(model([3, 2, 5, 6, 6], conv2d(4, 2, 3))).toThrow(/at 'conv2d0'.*wrong number of channels.*expected \[\.\.\., 4, H, W\]; found \[3, 2, 5, 6, 6\]/);
    expect(model([2, 8], conv1d(2, 2, 3))).toThrow(/at 'conv1d0'.*\[T, B, in, L\].*expected rank 4 or 3; found \[2, 8\]/);
    // A kernel larger than the padded input is core's conv rule's to reject, at the layer's node.
    expect(model([1, 1, 3, 3], conv2d(1, 1, 5))).toThrow(/at 'conv2d0\/conv2d'.*does not fit/);
  });
});
