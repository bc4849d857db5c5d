import { evaluate, trace } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { declareBindings, dispatch2d, FLAT_WORKGROUP_INDEX, type BufferBinding, type KernelSource } from '../src/codegen/kernel-source.js';
import { PHILOX_WGSL } from '../src/codegen/philox.wgsl.js';
import { binding, expectClose, gpuOrSkip, runKernel } from './support/run-kernel.js';

/** A kernel running `body` (which may use `i`) for i in [0, n) after the Philox library. */
function testKernel(bindings: readonly BufferBinding[], n: number, body: string): KernelSource {
  const code = [
    declareBindings(bindings),
    PHILOX_WGSL,
    '@compute @workgroup_size(256)',
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {',
    `  let i = ${FLAT_WORKGROUP_INDEX} * 256u + lid;`,
    `  if (i >= ${n}u) { return; }`,
    `  ${body}`,
    '}',
  ].join('\n');
  return { label: 'philox-test', kind: 'philox-test', code, bindings, workgroups: dispatch2d(Math.ceil(n / 256)), usesStep: false };
}

describe('Philox4x32-10 in WGSL', () => {
  it('reproduces the Random123 known-answer vectors', async (ctx) => {
    const device = await gpuOrSkip(ctx);
    // [counter x4, key x2] -> words, from Random123's kat_vectors.
    const vectors: [number[], number[]][] = [
      [[0, 0, 0, 0, 0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
      [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
      [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
    ];
    const source = testKernel(
      [binding('kat_in', [6 * vectors.length], 'read', 'u32'), binding('kat_out', [4 * vectors.length], 'read_write', 'u32')],
      vectors.length,
      [
        'let w = philox4x32(vec4u(kat_in[6u * i], kat_in[6u * i + 1u], kat_in[6u * i + 2u], kat_in[6u * i + 3u]), vec2u(kat_in[6u * i + 4u], kat_in[6u * i + 5u]));',
        'for (var k = 0u; k < 4u; k++) { kat_out[4u * i + k] = w[k]; }',
      ].join('\n  '),
    );
    const [, words] = await runKernel(device, source, [new Uint32Array(vectors.flatMap(([input]) => input))]);
    expect(Array.from(words!)).toEqual(vectors.flatMap(([, expected]) => expected));
  });

  // Seeds at both ends of the key words, one above 2^32 (a non-zero high word), and counters that wrap as u32.
  it.for([
    [0, 0],
    [42, 7],
    [0xffffffff, 123456],
    [2 ** 32 + 5, 0xffffffff],
    [2 ** 53 - 1, 1],
  ])('matches the CPU stream for seed %d, counter %d: uniform bit-exact, normal within 1e-5', async ([seed, counter], ctx) => {
    const device = await gpuOrSkip(ctx);
    const n = 100_000;
    const graph = trace((b) => ({ u: b.uniform([n], seed, counter), z: b.normal([n], seed, counter) }));
    const cpu = evaluate(graph).outputs;
    const args = `${seed % 2 ** 32}u, ${Math.floor(seed / 2 ** 32)}u, i, ${counter}u`;
    const source = testKernel(
      [binding('uniforms', [n], 'read_write'), binding('normals', [n], 'read_write')],
      n,
      `uniforms[i] = rng_uniform(${args});\n  normals[i] = rng_normal(${args});`,
    );
    const [uniforms, normals] = await runKernel(device, source, []);
    expect(uniforms).toEqual(cpu['u']!.data);
    expectClose(normals!, cpu['z']!.data, 0, 1e-5);
  });
});
