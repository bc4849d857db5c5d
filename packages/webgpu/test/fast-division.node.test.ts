// Index division by a reciprocal (codegen/fast-division.ts): the magic numbers against exact
// integer division, the WGSL `fast_div` on the GPU against the same, and the kernels that use it.
import { evaluate, toArray, trace } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { divisionMagic, FAST_DIVIDE_WGSL, FAST_DIVISION_ELEMENTS, quotient } from '../src/codegen/fast-division.js';
import { KernelSizes } from '../src/codegen/kernel-source.js';
import { compile, compileLimitsOf, compileProgram } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { kernelSteps } from './support/program-checks.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the fast division tests');

/** floor(n · magic / 2^(31 + shift)) in exact integers: what fast_div computes. */
const byMagic = (n: number, d: number) => {
  const { magic, shift } = divisionMagic(d);
  return Number((BigInt(n) * BigInt(magic)) >> (31n + BigInt(shift)));
};

/** Divisors worth trying: small ones, powers of two and their neighbours, odd and large ones. */
const divisors = [1, 2, 3, 5, 6, 7, 10, 12, 25, 100, 255, 256, 257, 641, 784, 1000, 4095, 4096, 4097, 65535, 65536, 65537, 99991, 2 ** 20 + 7, 2 ** 24 - 3, 2 ** 29 - 1, 2 ** 29];
/** Numerators near multiples of d and near the top of the range. */
const numerators = (d: number) => {
  const top = 2 ** 30 - 1;
  const near = [d - 1, d, d + 1, 7 * d - 1, 7 * d, Math.floor(top / d) * d - 1, Math.floor(top / d) * d, top];
  return [0, 1, 2, 12345, 987654321, ...near].filter((n) => n >= 0 && n <= top);
};

describe('division magic numbers', () => {
  it('give floor(n / d) for every tried divisor and numerator below 2^30, and fit a u32', () => {
    for (const d of divisors) {
      const { magic, shift } = divisionMagic(d);
      expect(magic, `magic of ${d}`).toBeLessThanOrEqual(2 ** 31);
      expect(shift).toBe(Math.floor(Math.log2(d)));
      for (const n of numerators(d)) expect(byMagic(n, d), `${n} / ${d}`).toBe(Math.floor(n / d));
    }
  });

  it('give floor(n / d) for every n below 2^16 and every d up to 300, exhaustively', () => {
    for (let d = 1; d <= 300; d++) {
      const { magic, shift } = divisionMagic(d);
      const scale = 2 ** (31 + shift);
      // n · magic < 2^47: exact in a double.
      for (let n = 0; n < 2 ** 16; n++) if (Math.floor((n * magic) / scale) !== Math.floor(n / d)) expect.fail(`${n} / ${d}`);
    }
  });

  it('divide plainly when the sizes are literals or the tensor is past the limit', () => {
    expect(quotient('i', 7, new KernelSizes(true), 100)).toBe('(i / 7u)');
    expect(quotient('i', 7, new KernelSizes(), FAST_DIVISION_ELEMENTS + 1)).toMatch(/^\(i \/ dims\[0u\]\)$/);
    expect(quotient('i', 7, new KernelSizes(), FAST_DIVISION_ELEMENTS)).toMatch(/^fast_div\(i, dims\[0u\], dims\[1u\]\)$/);
  });

  it('a broadcast bias in a fused kernel divides by a reciprocal, not by a table size', () => {
    const graph = trace((g) => ({ h: g.input('x', [8, 1001]).add(g.input('b', [8, 1])) }));
    const limits = compileLimitsOf({ maxStorageBufferBindingSize: 1 << 27, maxStorageBuffersPerShaderStage: 16 } as GPUSupportedLimits);
    const [kernel] = kernelSteps(compileProgram(graph, limits).steps);
    expect(kernel!.source.code).toContain('fast_div(');
    expect(kernel!.source.code).toContain('fn fast_div(');
    expect(kernel!.source.code).not.toMatch(/ \/ dims\[/);
  });
});

describe.skipIf(skip)('fast_div on WebGPU', () => {
  it('equals exact integer division on the GPU', async () => {
    const { device } = deviceOf(acquired);
    const cases = divisors.flatMap((d) => numerators(d).map((n) => [n, d] as const));
    const input = new Uint32Array(cases.flatMap(([n, d]) => [n, divisionMagic(d).magic, divisionMagic(d).shift]));
    const code = [
      '@group(0) @binding(0) var<storage, read> cases: array<u32>;',
      '@group(0) @binding(1) var<storage, read_write> quotients: array<u32>;',
      FAST_DIVIDE_WGSL,
      '@compute @workgroup_size(64)',
      'fn main(@builtin(global_invocation_id) id: vec3u) {',
      `  if (id.x >= ${cases.length}u) { return; }`,
      '  quotients[id.x] = fast_div(cases[3u * id.x], cases[3u * id.x + 1u], cases[3u * id.x + 2u]);',
      '}',
    ].join('\n');
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
    const inBuffer = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(inBuffer, 0, input);
    const outBuffer = device.createBuffer({ size: 4 * cases.length, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const staging = device.createBuffer({ size: 4 * cases.length, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [inBuffer, outBuffer].map((buffer, binding) => ({ binding, resource: { buffer } })) }));
    pass.dispatchWorkgroups(Math.ceil(cases.length / 64));
    pass.end();
    encoder.copyBufferToBuffer(outBuffer, 0, staging, 0, 4 * cases.length);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const got = Array.from(new Uint32Array(staging.getMappedRange().slice(0)));
    staging.unmap();
    for (const b of [inBuffer, outBuffer, staging]) b.destroy();
    expect(got).toEqual(cases.map(([n, d]) => Math.floor(n / d)));
  });

  it('a broadcast along a middle axis reads the right elements on the GPU', async () => {
    // [5, 7, 9] + [7, 1]: coordinates by division on every axis; integers keep the sums exact.
    const graph = trace((g) => ({ y: g.input('x', [5, 7, 9]).add(g.input('b', [7, 1])) }));
    const inputs = { x: Array.from({ length: 315 }, (_, i) => i), b: Array.from({ length: 7 }, (_, i) => 1000 * i) };
    const exe = await compile(graph, deviceOf(acquired).device);
    const got = toArray((await exe.run(inputs)).y!);
    exe.destroy();
    expect(Array.from(got)).toEqual(Array.from(toArray(evaluate(graph, { inputs }).outputs.y!)));
  });
});
