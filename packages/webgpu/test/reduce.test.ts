import { evaluate, sizeOf, trace, type DType, type ReduceOp, type Shape, type Tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { reduceKernel, type ReduceArgs } from '../src/codegen/reduce.js';
import { binding, expectClose, gpuOrSkip, randomData, runKernel, type KernelData } from './support/run-kernel.js';

interface Case {
  readonly op: ReduceOp;
  readonly shape: Shape;
  readonly axes: readonly number[];
  readonly keepDims?: boolean;
  readonly dtype?: DType;
  readonly data?: KernelData;
}

/** The CPU reference of a reduction of input `x`, possibly after an elementwise prologue. */
function cpuReduce(c: Case, x: KernelData, prologue: (t: Tensor) => Tensor = (t) => t) {
  const graph = trace((g) => ({ y: prologue(g.input('x', c.shape, c.dtype ?? 'f32'))[c.op](c.axes, c.keepDims ?? false) }));
  return evaluate(graph, { inputs: { x } }).outputs['y']!;
}

function argsFor(c: Case, outShape: Shape): ReduceArgs {
  const dtype = c.dtype ?? 'f32';
  return { label: 'r', op: c.op, inShape: c.shape, axes: c.axes, keepDims: c.keepDims ?? false, dtype, input: undefined, out: binding('out', outShape, 'read_write', dtype) };
}

describe('reduceKernel', () => {
  const ints = (dtype: 'i32' | 'u32', n: number) => {
    const r = randomData(n, 9, 0, 2 ** 32);
    return dtype === 'i32' ? Int32Array.from(r, (v) => v | 0) : Uint32Array.from(r, (v) => v >>> 0);
  };
  const withNaN = (() => {
    const d = randomData(4 * 300, 5);
    d[7] = NaN; // row 0 of the small strategy
    d[300 * 2 + 150] = NaN; // row 2 of the workgroup strategy
    return d;
  })();
  const cases: [string, Case][] = [
    ['sum over the last axis', { op: 'sum', shape: [3, 4, 5], axes: [-1] }],
    ['sum over a middle axis, keepDims', { op: 'sum', shape: [3, 4, 5], axes: [1], keepDims: true }],
    ['mean over axes 0 and 2 (not adjacent)', { op: 'mean', shape: [3, 4, 5], axes: [0, -1] }],
    ['max over adjacent axes 1 and 2, keepDims', { op: 'max', shape: [2, 3, 4, 5], axes: [2, 1], keepDims: true }],
    ['sum over every axis', { op: 'sum', shape: [2, 3, 7], axes: [0, 1, 2] }],
    ['mean over no axis', { op: 'mean', shape: [2, 3], axes: [] }],
    ['sum of one element', { op: 'sum', shape: [1, 1, 1], axes: [0, 2] }],
    ['sum, R = 100000', { op: 'sum', shape: [100_000], axes: [0] }],
    ['mean, R = 100000 over two outputs', { op: 'mean', shape: [2, 100_000], axes: [1] }],
    ['max, R = 100000', { op: 'max', shape: [100_000], axes: [0], keepDims: true }],
    ['sum over a leading axis of R = 300 (strided)', { op: 'sum', shape: [300, 70], axes: [0] }],
    ['mean over R = 5000, 128 threads per output', { op: 'mean', shape: [3, 5000], axes: [-1] }],
    ['max over R = 65 of [5, 13, 7], axes 0 and 1', { op: 'max', shape: [5, 13, 7], axes: [0, 1] }],
    ['mean over R = 64 exactly', { op: 'mean', shape: [64, 3], axes: [0] }],
    ['max keeps NaN on both strategies', { op: 'max', shape: [4, 300], axes: [1], data: withNaN }],
    ['max keeps NaN over R = 10', { op: 'max', shape: [4, 300], axes: [0], data: withNaN }],
    ['mean over an empty axis is NaN', { op: 'mean', shape: [3, 0], axes: [1] }],
    ['sum over an empty axis is 0', { op: 'sum', shape: [3, 0, 2], axes: [1] }],
    ['i32 sum wraps', { op: 'sum', shape: [3, 70], axes: [1], dtype: 'i32', data: ints('i32', 210) }],
    ['u32 sum wraps', { op: 'sum', shape: [3, 7], axes: [1], dtype: 'u32', data: ints('u32', 21) }],
    ['i32 max', { op: 'max', shape: [300], axes: [0], dtype: 'i32', data: ints('i32', 300) }],
    ['u32 max', { op: 'max', shape: [9, 5], axes: [0], dtype: 'u32', data: ints('u32', 45) }],
  ];

  it.for(cases)('matches the CPU: %s', async ([, c], ctx) => {
    const device = await gpuOrSkip(ctx);
    const x = c.data ?? randomData(sizeOf(c.shape), 3);
    const expected = cpuReduce(c, x);
    const [, out] = await runKernel(device, reduceKernel(argsFor(c, expected.type.shape)), [x]);
    if (c.dtype === 'i32' || c.dtype === 'u32') expect(Array.from(out!)).toEqual(Array.from(expected.data));
    else expectClose(out!, expected.data, 1e-4, sizeOf(c.shape) > 10_000 ? 1e-3 : 1e-5);
  });

  it('reduces a fused elementwise prologue', async (ctx) => {
    const device = await gpuOrSkip(ctx);
    const c: Case = { op: 'sum', shape: [6, 500], axes: [1] };
    const x = randomData(3000, 4);
    const expected = cpuReduce(c, x, (t) => t.exp().mul(2));
    const in0 = binding('in0', c.shape);
    const source = reduceKernel({ ...argsFor(c, [6]), input: () => ({ code: 'fn reduce_input(i: u32) -> f32 { return exp(in0[i]) * 2.0; }', bindings: [in0] }) });
    const [, out] = await runKernel(device, source, [x]);
    expectClose(out!, expected.data, 1e-4, 1e-5);
  });

  it('reads and writes scan step t at t · stepStride', async (ctx) => {
    const device = await gpuOrSkip(ctx);
    const c: Case = { op: 'max', shape: [4, 100], axes: [0] };
    const x = randomData(3 * 400, 6);
    const expected = cpuReduce(c, x.subarray(800, 1200));
    const source = reduceKernel({ ...argsFor(c, [100]), inputBinding: binding('in0', c.shape, 'read', 'f32', 400), out: binding('out', [100], 'read_write', 'f32', 100) });
    expect(source.usesStep).toBe(true);
    const [, out] = await runKernel(device, source, [x, new Float32Array(300)], 2);
    expectClose(out!.subarray(200, 300), expected.data, 0);
  });

  it('generates WGSL: one thread per output for small R', () => {
    const source = reduceKernel(argsFor({ op: 'mean', shape: [3, 4, 5], axes: [0, 2], keepDims: true }, [1, 4, 1]));
    expect(source.workgroups).toEqual([1, 1, 1]);
    expect(source.code).toMatchInlineSnapshot(`
      "@group(0) @binding(0) var<storage, read> in0: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out: array<f32>;
      @group(0) @binding(2) var<storage, read> dims: array<u32>;
      fn reduce_input(i: u32) -> f32 { return in0[i]; }
      fn reduce_combine(a: f32, b: f32) -> f32 { return a + b; }
      @compute @workgroup_size(256)
      fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
        let o = (wid.x + wid.y * nwg.x) * 256u + lid;
        let n = dims[2u];
        var acc = f32(0);
        if (o < dims[1u]) {
          let base = o * dims[3u];
          for (var r = 0u; r < dims[0u]; r++) { acc = reduce_combine(acc, reduce_input(base + fast_div(r, dims[4u], dims[5u]) * dims[9u] + (r - fast_div(r, dims[6u], dims[7u]) * dims[8u]))); }
          out[o] = acc / f32(n);
        }
      }
      fn fast_div(n: u32, magic: u32, shift: u32) -> u32 {
        let n0 = n & 0xffffu;
        let n1 = n >> 16u;
        let m0 = magic & 0xffffu;
        let m1 = magic >> 16u;
        let n0m1 = n0 * m1;
        let n1m0 = n1 * m0;
        // Bits 16.. of the 64-bit product n · magic, before the high word: at most three 16-bit terms.
        let mid = ((n0 * m0) >> 16u) + (n0m1 & 0xffffu) + (n1m0 & 0xffffu);
        let high = n1 * m1 + (n0m1 >> 16u) + (n1m0 >> 16u) + (mid >> 16u);
        // The product shifted right by 31 (high < 2^29 for n < 2^30), then by the shift.
        return ((high << 1u) | ((mid >> 15u) & 1u)) >> shift;
      }"
    `);
  });

  it('generates WGSL: threads share an output for larger R', () => {
    const source = reduceKernel(argsFor({ op: 'max', shape: [10, 300, 7], axes: [-2] }, [10, 7]));
    // R = 300: 8 threads per output, 32 outputs per workgroup.
    expect(source.workgroups).toEqual([3, 1, 1]);
    expect(source.code).toMatchInlineSnapshot(`
      "@group(0) @binding(0) var<storage, read> in0: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out: array<f32>;
      @group(0) @binding(2) var<storage, read> dims: array<u32>;
      fn reduce_input(i: u32) -> f32 { return in0[i]; }
      fn reduce_is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
      fn reduce_combine(a: f32, b: f32) -> f32 { return select(select(max(a, b), b, reduce_is_nan(b)), a, reduce_is_nan(a)); }
      var<workgroup> partial: array<f32, 256>;
      @compute @workgroup_size(256)
      fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
        let lane = lid & (dims[2u] - 1u);
        let o = (wid.x + wid.y * nwg.x) * (256u >> dims[3u]) + (lid >> dims[3u]);
        var acc = f32(0);
        if (o < dims[1u]) {
          let base = fast_div(o, dims[4u], dims[5u]) * dims[9u] + (o - fast_div(o, dims[6u], dims[7u]) * dims[8u]);
          acc = reduce_input(base);
          for (var r = lane; r < dims[0u]; r += dims[2u]) { acc = reduce_combine(acc, reduce_input(base + r * dims[10u])); }
        }
        partial[lid] = acc;
        workgroupBarrier();
        for (var s = 128u; s > 0u; s >>= 1u) {
          if (lane < s && s < dims[2u]) { partial[lid] = reduce_combine(partial[lid], partial[lid + s]); }
          workgroupBarrier();
        }
        if (lane == 0u && o < dims[1u]) { out[o] = partial[lid]; }
      }
      fn fast_div(n: u32, magic: u32, shift: u32) -> u32 {
        let n0 = n & 0xffffu;
        let n1 = n >> 16u;
        let m0 = magic & 0xffffu;
        let m1 = magic >> 16u;
        let n0m1 = n0 * m1;
        let n1m0 = n1 * m0;
        // Bits 16.. of the 64-bit product n · magic, before the high word: at most three 16-bit terms.
        let mid = ((n0 * m0) >> 16u) + (n0m1 & 0xffffu) + (n1m0 & 0xffffu);
        let high = n1 * m1 + (n0m1 >> 16u) + (n1m0 >> 16u) + (mid >> 16u);
        // The product shifted right by 31 (high < 2^29 for n < 2^30), then by the shift.
        return ((high << 1u) | ((mid >> 15u) & 1u)) >> shift;
      }"
    `);
  });
});
