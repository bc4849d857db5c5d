import { evaluate, sizeOf, trace, type Shape } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { MATMUL_TILING, MATMUL_TILING_LARGE, matmulKernel, type MatmulTiling } from '../src/codegen/matmul.js';
import { binding, expectClose, gpuOrSkip, randomData, runKernel } from './support/run-kernel.js';

interface Case {
  readonly a: Shape;
  readonly b: Shape;
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  readonly tiling?: MatmulTiling;
}

function kernelFor(c: Case, outShape: Shape) {
  const transposeA = c.transposeA ?? false;
  const transposeB = c.transposeB ?? false;
  return matmulKernel({ label: 'mm', a: binding('a', c.a), b: binding('b', c.b), out: binding('out', outShape, 'read_write'), transposeA, transposeB }, c.tiling);
}

describe('matmulKernel', () => {
  const cases: [string, Case][] = [
    ['1x1 @ 1x1', { a: [1, 1], b: [1, 1] }],
    ['7x13 @ 13x5', { a: [7, 13], b: [13, 5] }],
    ['batch broadcast [2,1,5,7] @ [3,7,6]', { a: [2, 1, 5, 7], b: [3, 7, 6] }],
    ['batched a, shared b [4,9,11] @ [11,3]', { a: [4, 9, 11], b: [11, 3] }],
    ['transposeA [13,7]ᵀ @ [13,5]', { a: [13, 7], b: [13, 5], transposeA: true }],
    ['transposeB [7,13] @ [5,13]ᵀ', { a: [7, 13], b: [5, 13], transposeB: true }],
    ['both transposed, batched [3,1,17,70]ᵀ @ [2,66,17]ᵀ', { a: [3, 1, 17, 70], b: [2, 66, 17], transposeA: true, transposeB: true }],
    ['300x300 @ 300x300', { a: [300, 300], b: [300, 300] }],
    ['skinny [1,784] @ [784,130]', { a: [1, 784], b: [784, 130] }],
    ['empty K [3,0] @ [0,4]', { a: [3, 0], b: [0, 4] }],
    ['large tiling, ragged [130,70] @ [70,200]', { a: [130, 70], b: [70, 200], tiling: MATMUL_TILING_LARGE }],
    ['large tiling, transposed [2,33,129]ᵀ @ [131,33]ᵀ', { a: [2, 33, 129], b: [131, 33], transposeA: true, transposeB: true, tiling: MATMUL_TILING_LARGE }],
  ];

  it.for(cases)('matches the CPU: %s', async ([, c], ctx) => {
    const device = await gpuOrSkip(ctx);
    const [a, b] = [randomData(sizeOf(c.a), 1), randomData(sizeOf(c.b), 2)];
    const graph = trace((g) => ({ y: g.input('a', c.a).matmul(g.input('b', c.b), { transposeA: c.transposeA ?? false, transposeB: c.transposeB ?? false }) }));
    const expected = evaluate(graph, { inputs: { a, b } }).outputs['y']!;
    const [, , out] = await runKernel(device, kernelFor(c, expected.type.shape), [a, b]);
    expectClose(out!, expected.data, 1e-4, 1e-4);
  });

  it('reads the operands of scan step t at t · stepStride', async (ctx) => {
    const device = await gpuOrSkip(ctx);
    const [steps, m, k, n] = [3, 5, 6, 7];
    const a = randomData(steps * m * k, 3);
    const b = randomData(k * n, 4);
    const source = matmulKernel({
      label: 'mm',
      a: binding('a', [m, k], 'read', 'f32', m * k),
      b: binding('b', [k, n]),
      out: binding('out', [m, n], 'read_write', 'f32', m * n),
      transposeA: false,
      transposeB: false,
    });
    expect(source.usesStep).toBe(true);
    const graph = trace((g) => ({ y: g.input('a', [m, k]).matmul(g.input('b', [k, n])) }));
    const expected = evaluate(graph, { inputs: { a: a.subarray(2 * m * k, 3 * m * k), b } }).outputs['y']!;
    const [, , out] = await runKernel(device, source, [a, b, new Float32Array(steps * m * n)], 2);
    expectClose(out!.subarray(2 * m * n, 3 * m * n), expected.data, 1e-4, 1e-4);
    expect(Array.from(out!.subarray(0, 2 * m * n)).every((v) => v === 0)).toBe(true);
  });

  it('picks the 128 tile only for products with many tiles', () => {
    expect(kernelFor({ a: [1024, 64], b: [64, 1024] }, [1024, 1024]).workgroups).toEqual([64, 1, 1]);
    expect(kernelFor({ a: [512, 784], b: [784, 256] }, [512, 256]).workgroups).toEqual([(512 / 64) * (256 / 64), 1, 1]);
    expect(MATMUL_TILING.tileM).toBe(64);
  });

  it('emits no bounds checks when every size is a multiple of its tile', () => {
    const code = kernelFor({ a: [128, 32], b: [32, 64] }, [128, 64]).code;
    expect(code).not.toContain('select(');
    expect(code).not.toContain('if (i <');
  });

  it('generates WGSL for a batched, broadcast, transposed, ragged product', () => {
    const source = kernelFor({ a: [2, 1, 5, 7], b: [3, 6, 7], transposeB: true }, [2, 3, 5, 6]);
    expect(source.workgroups).toEqual([6, 1, 1]);
    expect(source.code).toMatchInlineSnapshot(`
      "@group(0) @binding(0) var<storage, read> a: array<f32>;
      @group(0) @binding(1) var<storage, read> b: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out: array<f32>;
      var<workgroup> tile_a: array<vec4f, 128>;
      var<workgroup> tile_b: array<vec4f, 128>;
      @compute @workgroup_size(64)
      fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
        let flat = (wid.x + wid.y * nwg.x);
        if (flat >= 6u) { return; }
        let q = flat / 1u;
        let tile = flat % 1u;
        let row0 = (tile / 1u) * 64u;
        let col0 = (tile % 1u) * 64u;
        let a_base = ((q / 3u)) * 35u;
        let b_base = ((q % 3u)) * 42u;
        let out_base = q * 30u;
        let tr = lid / 8u;
        let tc = lid % 8u;
        var acc: array<vec4f, 16>;
        for (var k0 = 0u; k0 < 7u; k0 += 8u) {
          for (var l = 0u; l < 2u; l++) {
            let e = lid + l * 64u;
            let p = e % 8u;
            let sv = e / 8u;
            let s = row0 + 4u * sv;
            let gp = k0 + p;
            tile_a[p * 16u + sv] = vec4f(select(0.0, a[a_base + s * 7u + gp], s < 5u && gp < 7u), select(0.0, a[a_base + (s + 1u) * 7u + gp], s + 1u < 5u && gp < 7u), select(0.0, a[a_base + (s + 2u) * 7u + gp], s + 2u < 5u && gp < 7u), select(0.0, a[a_base + (s + 3u) * 7u + gp], s + 3u < 5u && gp < 7u));
          }
          for (var l = 0u; l < 2u; l++) {
            let e = lid + l * 64u;
            let p = e % 8u;
            let sv = e / 8u;
            let s = col0 + 4u * sv;
            let gp = k0 + p;
            tile_b[p * 16u + sv] = vec4f(select(0.0, b[b_base + s * 7u + gp], s < 6u && gp < 7u), select(0.0, b[b_base + (s + 1u) * 7u + gp], s + 1u < 6u && gp < 7u), select(0.0, b[b_base + (s + 2u) * 7u + gp], s + 2u < 6u && gp < 7u), select(0.0, b[b_base + (s + 3u) * 7u + gp], s + 3u < 6u && gp < 7u));
          }
          workgroupBarrier();
          for (var p = 0u; p < 8u; p++) {
            let b0 = tile_b[p * 16u + tc];
            let b1 = tile_b[p * 16u + tc + 8u];
            let a0 = tile_a[p * 16u + tr];
            acc[0] += a0[0] * b0;
            acc[1] += a0[0] * b1;
            acc[2] += a0[1] * b0;
            acc[3] += a0[1] * b1;
            acc[4] += a0[2] * b0;
            acc[5] += a0[2] * b1;
            acc[6] += a0[3] * b0;
            acc[7] += a0[3] * b1;
            let a1 = tile_a[p * 16u + tr + 8u];
            acc[8] += a1[0] * b0;
            acc[9] += a1[0] * b1;
            acc[10] += a1[1] * b0;
            acc[11] += a1[1] * b1;
            acc[12] += a1[2] * b0;
            acc[13] += a1[2] * b1;
            acc[14] += a1[3] * b0;
            acc[15] += a1[3] * b1;
          }
          workgroupBarrier();
        }
        for (var row = 0u; row < 8u; row++) {
          let i = row0 + 4u * (tr + (row / 4u) * 8u) + row % 4u;
          for (var v = 0u; v < 2u; v++) {
            for (var c = 0u; c < 4u; c++) {
              let j = col0 + 4u * (tc + v * 8u) + c;
              if (i < 5u && j < 6u) { out[out_base + i * 6u + j] = acc[row * 2u + v][c]; }
            }
          }
        }
      }"
    `);
  });
});
