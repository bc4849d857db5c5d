// A matmul computes the fused elementwise group that alone reads it in its stores
// (compiler/matmul-epilogues.ts, codegen/matmul-epilogue.ts): PSN's W·X + b, a bias add. The plans
// are checked without a device (which kernels there are, and which compute an epilogue); on
// a device, small integers, so every sum is exact and the GPU must equal the CPU bit for bit.
import { evaluate, toArray, trace, type Graph, type Tensor } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileProgram, type Program } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { expectGpuEqualsCpu, kernelSteps } from './support/program-checks.js';

const LIMITS = { maxStorageBufferBindingSize: 1 << 30, maxStorageBuffersPerShaderStage: 10 };
const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the matmul epilogue tests on the GPU');

const ints = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7 + seed * 3) % 5) - 2);

/** The kernel kinds of a program, in order. */
const kinds = (program: Program) => kernelSteps(program.steps).map((s) => s.source.kind);

/** Whether the kernel labelled `label` (a matmul's name) computes an epilogue in its stores. */
const withEpilogue = (program: Program, label: string) => kernelSteps(program.steps).some((s) => s.source.label === label && s.source.code.includes('fn epilogue('));

/** H = W·X + b[:, None], PSN's charge over [T, N] (the narrow kernel for T ≤ 8, register-blocked above). */
const psnCharge = (T: number, N: number) =>
  trace((b) => {
    const h = b.scope('psn', () => b.input('w', [T, T]).matmul(b.input('x', [T, N])).add(b.input('b', [T]).reshape([T, 1])));
    return { h: h.mul(h) };
  });

/** out = relu(x·w + bias)·v: a linear layer's bias and activation after a register-blocked product. */
function linear(m: number, k: number, n: number, opts: { transposeW?: boolean; readAgain?: boolean; returnProduct?: boolean; transposeProduct?: boolean } = {}): Graph {
  return trace((b) => {
    const w = opts.transposeW ? b.input('w', [n, k]).transpose([1, 0]) : b.input('w', [k, n]);
    const p = b.scope('fc', () => b.input('x', [m, k]).matmul(w));
    const read = opts.transposeProduct ? p.transpose([1, 0]).transpose([1, 0]).mul(1) : p;
    const z = read.add(b.input('bias', [n])).relu();
    const outputs: Record<string, Tensor> = { out: z.matmul(b.input('v', [n, 3])) };
    if (opts.readAgain) outputs.again = p.mul(p).sum();
    if (opts.returnProduct) outputs.p = p;
    return outputs;
  });
}

/** Batched: [2, m, k]·[2, k, n] + c, then doubled. */
const batched = (m: number, k: number, n: number) =>
  trace((b) => ({ out: b.scope('bm', () => b.input('x', [2, m, k]).matmul(b.input('w', [2, k, n]))).add(b.input('c', [2, m, n])).mul(2).matmul(b.input('v', [n, 2])) }));

/** A broadcast batch: [2, m, k]·[k, n] (one weight for both) + bias[n]. */
const broadcastBatch = (m: number, k: number, n: number) =>
  trace((b) => ({ out: b.scope('bb', () => b.input('x', [2, m, k]).matmul(b.input('w', [k, n]))).add(b.input('bias', [n])).mul(2).matmul(b.input('v', [n, 2])) }));

/** p = x·w read by one group, out = p + h, and p also the new value of state h (copied after the kernels). */
const stateUpdate = (m: number, k: number, n: number) =>
  trace((b) => {
    const h = b.state('h', [m, n]);
    const p = b.scope('fc', () => b.input('x', [m, k]).matmul(b.input('w', [k, n])));
    b.setState(h, p);
    return { out: p.add(h).mul(3).matmul(b.input('v', [n, 2])) };
  });

describe('which matmuls compute their reader in their stores (the plan)', () => {
  it('PSN: the narrow kernel (T = 8) and the register-blocked one (T = 32) write H = W·X + b', () => {
    for (const [T, kernel] of [[8, 'matmul-narrow'], [32, 'matmul-register']] as const) {
      const graph = psnCharge(T, 1000);
      const program = compileProgram(graph, LIMITS);
      expect(kinds(program)).toEqual([kernel]); // the product with its bias, and h·h, in one kernel
      expect(withEpilogue(program, 'psn/matmul')).toBe(true);
    }
  });

  it('a bias after a register-blocked product, with vec4 stores [8, 40] and scalar ones [7, 37], through a transposed weight, and after a narrow one [8, 12]', () => {
    for (const [m, n, transposeW, kernel] of [[8, 40, false, 'matmul-register'], [7, 37, false, 'matmul-register'], [8, 40, true, 'matmul-register'], [8, 12, false, 'matmul-narrow']] as const) {
      const graph = linear(m, 5, n, { transposeW });
      const program = compileProgram(graph, LIMITS);
      // The product with its bias (relu reads the sum twice, so it is a kernel of its own), relu, z·v.
      expect(kinds(program)).toEqual([kernel, 'elementwise', 'matmul-narrow']);
      // (Simplify folds the transpose into a new matmul node, outside the scope.)
      expect(withEpilogue(program, transposeW ? 'matmul' : 'fc/matmul')).toBe(true);
    }
  });

  it('a batched product with a same-shaped addend, and a broadcast batch with a bias', () => {
    for (const [graph, label] of [[batched(8, 5, 40), 'bm/matmul'], [broadcastBatch(8, 5, 40), 'bb/matmul']] as const) {
      const program = compileProgram(graph, LIMITS);
      expect(kinds(program)).toEqual(['matmul-register', 'matmul-narrow']);
      expect(withEpilogue(program, label)).toBe(true);
    }
  });

  it('leaves a product that another kernel reads, that is a graph output or a state update, or that its reader reads through an index rule', () => {
    const cases: [string, Graph][] = [
      ['read again', linear(8, 5, 40, { readAgain: true })],
      ['a graph output', linear(8, 5, 40, { returnProduct: true })],
      ['read transposed twice', linear(8, 5, 40, { transposeProduct: true })],
      ['a state update', stateUpdate(8, 5, 40)],
    ];
    for (const [name, graph] of cases) {
      const program = compileProgram(graph, LIMITS);
      // The product keeps a kernel of its own, without an epilogue.
      expect(kinds(program)[0], name).toBe('matmul-register');
      expect(kernelSteps(program.steps).some((s) => s.source.label === 'fc/matmul'), name).toBe(true);
      expect(withEpilogue(program, 'fc/matmul'), name).toBe(false);
    }
  });

  it('leaves a split-K product (its sum is a second dispatch)', () => {
    const graph = trace((b) => ({ out: b.scope('fc', () => b.input('x', [8, 2048]).matmul(b.input('w', [2048, 8]))).add(b.input('c', [8, 8])).mul(3) }));
    const program = compileProgram(graph, LIMITS);
    expect(kinds(program)).toEqual(['matmul-split-k', 'reduce', 'elementwise']);
    expect(withEpilogue(program, 'fc/matmul')).toBe(false);
  });
});

describe.skipIf(skip)('matmul epilogues on the GPU against the CPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  const runBoth = (graph: Graph, inputs: Record<string, number[]>) => expectGpuEqualsCpu(deviceOf(acquired).device, graph, inputs);

  it('a product that is also a state update: the state holds the product after the call', async () => {
    const graph = stateUpdate(8, 5, 40);
    const exe = await compile(graph, deviceOf(acquired).device);
    const inputs = { x: ints(40, 1), w: ints(200, 2), v: ints(80, 4) };
    const got = await exe.run(inputs);
    const state = await exe.readState();
    exe.destroy();
    const want = evaluate(graph, { inputs });
    expect(Array.from(toArray(got.out!))).toEqual(Array.from(toArray(want.outputs.out!)));
    expect(Array.from(toArray(state.h!))).toEqual(Array.from(toArray(want.state.h!)));
  });

  it('PSN charge, narrow (T = 8) and register-blocked (T = 32), N not a multiple of 4', async () => {
    for (const T of [8, 32]) await runBoth(psnCharge(T, 1001), { w: ints(T * T, 1), x: ints(T * 1001, 2), b: ints(T, 3) });
  });

  it('bias and relu: vec4 stores, scalar stores, a transposed weight, a narrow product', async () => {
    for (const [m, n, transposeW] of [[8, 40, false], [7, 37, false], [8, 40, true], [8, 12, false]] as const) {
      await runBoth(linear(m, 5, n, { transposeW }), { x: ints(m * 5, 1), w: ints(5 * n, 2), bias: ints(n, 3), v: ints(n * 3, 4) });
    }
  });

  it('batched, a broadcast batch, and the unfused cases', async () => {
    await runBoth(batched(8, 5, 40), { x: ints(80, 1), w: ints(400, 2), c: ints(640, 3), v: ints(80, 4) });
    await runBoth(broadcastBatch(8, 5, 40), { x: ints(80, 1), w: ints(200, 2), bias: ints(40, 3), v: ints(80, 4) });
    for (const opts of [{ readAgain: true }, { returnProduct: true }, { transposeProduct: true }]) {
      await runBoth(linear(8, 5, 40, opts), { x: ints(40, 1), w: ints(200, 2), bias: ints(40, 3), v: ints(120, 4) });
    }
  });
});
