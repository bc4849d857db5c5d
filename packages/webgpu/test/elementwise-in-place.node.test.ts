// A fused elementwise kernel may write its result over a same-shaped temporary it reads for the
// last time (compiler/elementwise-in-place.ts): the memory plan gives both one buffer and the
// kernel reads that load through its output binding. The plans are checked without a device (which
// buffers were shared, which were not); on a device, small integers, so the GPU must equal the CPU
// bit for bit.
import { trace, type Graph, type Tensor } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { compileProgram, type Program } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { expectGpuEqualsCpu, kernelSteps } from './support/program-checks.js';

const LIMITS = { maxStorageBufferBindingSize: 1 << 30, maxStorageBuffersPerShaderStage: 10 };
const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the in-place elementwise tests on the GPU');

const ints = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7 + seed * 3) % 5) - 2);

/** Whether the program's (first) elementwise kernel writes into the buffer of the first reduction's or matmul's result. */
function overwritesProduct(program: Program): boolean {
  const steps = kernelSteps(program.steps);
  const product = steps.find((s) => s.source.kind === 'reduce' || s.source.kind.startsWith('matmul'))!.args.at(-1)!;
  const sum = steps.find((s) => s.source.kind === 'elementwise')!;
  const written = sum.args.at(-1)!;
  return !sum.args.slice(0, -1).includes(product) && program.slots.get(written) === program.slots.get(product);
}

/**
 * a = Σ_k x[:, k, :], z = |2a + y|, out = z·v: z is a temporary, a dies in z's kernel (unless
 * `readAgain` or `returnA`). (A product x·w in a's place would be computed in z's kernel instead:
 * see matmul-epilogue.node.test.ts.)
 */
function chain(m: number, k: number, n: number, opts: { readAgain?: boolean; returnA?: boolean } = {}): Graph {
  return trace((b) => {
    const a = b.input('x', [m, k, n]).sum(1);
    const z = a.mul(2).add(b.input('y', [m, n])).abs();
    const v = b.input('v', [n, 3]);
    const outputs: Record<string, Tensor> = { out: z.matmul(v) };
    if (opts.readAgain) outputs.again = a.mul(a).matmul(v);
    if (opts.returnA) outputs.a = a;
    return outputs;
  });
}

/** a = x·w [8, 8], out = (aᵀ + y)·v: the kernel reads a at transposed indices, so it must not overwrite it. */
const transposed = () =>
  trace((b) => {
    const a = b.input('x', [8, 5]).matmul(b.input('w', [5, 8]));
    return { out: a.transpose([1, 0]).add(b.input('y', [8, 8])).matmul(b.input('v', [8, 3])) };
  });

/** The checkpointed gradient's dW1 pattern: each step of a loop adds x_tᵀ·d_t into a carried sum. */
const runningSum = (T: number, B: number, I: number, H: number) =>
  trace((b) => {
    const r = b.scan({
      carries: [b.constant(0, [I, H])],
      sequences: [b.input('x', [T, B, I]), b.input('d', [T, B, H])],
      body: (_sb, [sum], [x, d]) => ({ carries: [sum!.add(x!.transpose([1, 0]).matmul(d!))], outputs: [] }),
    });
    return { dw: r.carries[0]! };
  });

describe('which elementwise kernels write in place (the plan)', () => {
  it('overwrites a temporary it reads last, with vec4 stores [8, 12] and with scalar stores [7, 9]', () => {
    expect(overwritesProduct(compileProgram(chain(8, 5, 12), LIMITS))).toBe(true);
    expect(overwritesProduct(compileProgram(chain(7, 5, 9), LIMITS))).toBe(true);
  });

  it('leaves a temporary that a later kernel still reads, or that is a graph output', () => {
    expect(overwritesProduct(compileProgram(chain(8, 5, 12, { readAgain: true }), LIMITS))).toBe(false);
    expect(overwritesProduct(compileProgram(chain(8, 5, 12, { returnA: true }), LIMITS))).toBe(false);
  });

  it('leaves a same-shaped temporary that the kernel reads at other indices (a transpose)', () => {
    expect(overwritesProduct(compileProgram(transposed(), LIMITS))).toBe(false);
  });

  it('adds a step loop body partial product into its running sum over the partial (the carry, a body input, is never written)', () => {
    expect(overwritesProduct(compileProgram(runningSum(4, 3, 5, 8), LIMITS))).toBe(true);
  });
});

describe.skipIf(skip)('elementwise kernels writing in place, on the GPU against the CPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  const runBoth = (graph: Graph, inputs: Record<string, number[]>) => expectGpuEqualsCpu(deviceOf(acquired).device, graph, inputs);

  const chainInputs = (m: number, k: number, n: number) => ({ x: ints(m * k * n, 1), y: ints(m * n, 3), v: ints(n * 3, 4) });

  it('in place, vec4 and scalar stores', async () => {
    await runBoth(chain(8, 5, 12), chainInputs(8, 5, 12));
    await runBoth(chain(7, 5, 9), chainInputs(7, 5, 9));
  });

  it('not in place: read again, a graph output, read transposed', async () => {
    await runBoth(chain(8, 5, 12, { readAgain: true }), chainInputs(8, 5, 12));
    await runBoth(chain(8, 5, 12, { returnA: true }), chainInputs(8, 5, 12));
    await runBoth(transposed(), { x: ints(40, 1), w: ints(40, 2), y: ints(64, 3), v: ints(24, 4) });
  });

  it('a running sum in a step loop', async () => {
    await runBoth(runningSum(4, 3, 5, 8), { x: ints(60, 5), d: ints(96, 6) });
  });
});
