import { evaluate, sizeOf, trace, type ConvOptions, type Shape } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { convKernel, type ConvNode } from '../src/codegen/conv.js';
import { binding, expectClose, gpuOrSkip, randomData, runKernel } from './support/run-kernel.js';

type Op = 'conv1d' | 'conv2d';

/** A traced convolution: its graph (for the CPU) and its node, with the attrs the tracer normalized (for the kernel). */
function traced(op: Op, x: Shape, w: Shape, options: ConvOptions<number | readonly [number, number]>) {
  const graph = trace((g) => {
    const [xt, wt] = [g.input('x', x), g.input('w', w)];
    return { y: op === 'conv1d' ? xt.conv1d(wt, options as ConvOptions<number>) : xt.conv2d(wt, options) };
  });
  const node = Object.values(graph.nodes).find((n): n is ConvNode => n.op === op)!;
  return { graph, conv: node, outShape: (node.type as { shape: Shape }).shape };
}

function kernelFor(op: Op, x: Shape, w: Shape, options: ConvOptions<number | readonly [number, number]>) {
  const { conv, outShape } = traced(op, x, w, options);
  return convKernel({ label: op, conv, x: binding('x', x), w: binding('w', w), out: binding('out', outShape, 'read_write') });
}

describe('convKernel', () => {
  const cases: [string, Op, Shape, Shape, ConvOptions<number | readonly [number, number]>][] = [
    ['conv1d, 1-tap', 'conv1d', [1, 1, 5], [1, 1, 1], {}],
    ['conv1d, stride 2, padding [2, 1], dilation 2, groups 2', 'conv1d', [2, 4, 13], [6, 2, 3], { stride: 2, padding: [2, 1], dilation: 2, groups: 2 }],
    ['conv1d, 600 outputs', 'conv1d', [3, 5, 100], [2, 5, 4], { padding: [1, 2] }],
    ['conv2d, padding 1', 'conv2d', [1, 3, 7, 7], [5, 3, 3, 3], { padding: 1 }],
    ['conv2d, stride [2, 1], padding [[1, 0], [2, 1]], dilation [2, 1], groups 2', 'conv2d', [2, 4, 9, 11], [6, 2, 3, 2], { stride: [2, 1], padding: [[1, 0], [2, 1]], dilation: [2, 1], groups: 2 }],
    ['conv2d depthwise, stride 2, dilation 2', 'conv2d', [2, 3, 10, 9], [3, 1, 3, 3], { stride: 2, dilation: 2, groups: 3, padding: [[0, 2], [3, 0]] }],
    ['conv2d, kernel as large as the input', 'conv2d', [1, 2, 4, 5], [3, 2, 4, 5], {}],
  ];

  it.for(cases)('matches the CPU: %s', async ([, op, x, w, options], ctx) => {
    const device = await gpuOrSkip(ctx);
    const { graph } = traced(op, x, w, options);
    const [xs, ws] = [randomData(sizeOf(x), 7), randomData(sizeOf(w), 8)];
    const expected = evaluate(graph, { inputs: { x: xs, w: ws } }).outputs['y']!;
    const [, , out] = await runKernel(device, kernelFor(op, x, w, options), [xs, ws]);
    expectClose(out!, expected.data, 1e-4, 1e-5);
  });

  it('generates WGSL for conv1d with no height loop', () => {
    const source = kernelFor('conv1d', [2, 4, 13], [6, 2, 3], { stride: 2, padding: [2, 1], dilation: 2, groups: 2 });
    expect(source.workgroups).toEqual([1, 1, 1]);
    expect(source.code).toMatchInlineSnapshot(`
      "@group(0) @binding(0) var<storage, read> x: array<f32>;
      @group(0) @binding(1) var<storage, read> w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out: array<f32>;
      @group(0) @binding(3) var<storage, read> dims: array<u32>;
      @compute @workgroup_size(256)
      fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
        let o = (wid.x + wid.y * nwg.x) * 256u + lid;
        if (o >= dims[0u]) { return; }
        let ow = i32(o % 6u);
        let co = (o / 6u) % 6u;
        let n = o / 36u;
        let x_base = (n * 4u + (co / 3u) * 2u) * 13u;
        let w_base = co * 6u;
        var acc = 0.0;
        for (var ci = 0u; ci < 2u; ci++) {
          for (var kw = 0; kw < 3; kw++) {
            let pw = ow * 2 - 2 + kw * 2;
            if (pw < 0) { continue; }
            let iw = u32(pw);
            acc += x[x_base + ci * 13u + iw] * w[w_base + ci * 3u + u32(kw)];
          }
        }
        out[o] = acc;
      }"
    `);
  });

  it('generates WGSL for conv2d, checking only the bounds padding can cross', () => {
    expect(kernelFor('conv2d', [1, 3, 7, 7], [5, 3, 3, 3], { padding: [[1, 0], [0, 0]] }).code).toMatchInlineSnapshot(`
      "@group(0) @binding(0) var<storage, read> x: array<f32>;
      @group(0) @binding(1) var<storage, read> w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out: array<f32>;
      @group(0) @binding(3) var<storage, read> dims: array<u32>;
      @compute @workgroup_size(256)
      fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
        let o = (wid.x + wid.y * nwg.x) * 256u + lid;
        if (o >= dims[0u]) { return; }
        let ow = i32(o % 5u);
        let oh = i32((o / 5u) % 6u);
        let co = (o / 30u) % 5u;
        let n = o / 150u;
        let x_base = (n * 3u + (co / 5u) * 3u) * 49u;
        let w_base = co * 27u;
        var acc = 0.0;
        for (var ci = 0u; ci < 3u; ci++) {
          for (var kh = 0; kh < 3; kh++) {
            let ph = oh - 1 + kh;
            if (ph < 0) { continue; }
            let ih = u32(ph);
            for (var kw = 0; kw < 3; kw++) {
              let pw = ow + kw;
              let iw = u32(pw);
              acc += x[x_base + (ci * 7u + ih) * 7u + iw] * w[w_base + (ci * 3u + u32(kh)) * 3u + u32(kw)];
            }
          }
        }
        out[o] = acc;
      }"
    `);
  });
});
