// A fused elementwise kernel may write its result over a same-shaped temporary it reads for the
// last time (compiler/elementwise-in-place.ts): the memory plan gives both one buffer and the
// kernel reads that load through its output binding. Small integers, so the GPU must equal the CPU
// bit for bit; the plans are checked for which buffers were shared and which were not.
import { evaluate, toArray, trace, type Graph, type NodeId, type Tensor } from '@spikeflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileProgram, type Program, type Step } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const LIMITS = { maxStorageBufferBindingSize: 1 << 30, maxStorageBuffersPerShaderStage: 10 };
const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the in-place elementwise tests');

const ints = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7 + seed * 3) % 5) - 2);

/** Every kernel step, loop bodies included, in order. */
function kernels(steps: readonly Step[]): Extract<Step, { kind: 'kernel' }>[] {
  return steps.flatMap((s) => (s.kind === 'kernel' ? [s] : s.kind === 'loop' ? kernels(s.body) : []));
}

/** Whether the program's (first) elementwise kernel writes into the buffer of the matmul result it reads. */
function overwritesMatmul(program: Program): boolean {
  const steps = kernels(program.steps);
  const product = steps.find((s) => s.source.kind.startsWith('matmul'))!.args.at(-1)!;
  const sum = steps.find((s) => s.source.kind === 'elementwise')!;
  const written = sum.args.at(-1)!;
  return !sum.args.slice(0, -1).includes(product) && program.slots.get(written) === program.slots.get(product);
}

/** a = x·w, z = tanh-free integer chain of a and y, out = z·v: z is a temporary, a dies in z's kernel. */
function chain(m: number, k: number, n: number, readAgain: boolean): Graph {
  return trace((b) => {
    const a = b.input('x', [m, k]).matmul(b.input('w', [k, n]));
    const z = a.mul(2).add(b.input('y', [m, n])).abs();
    const v = b.input('v', [n, 3]);
    const out = z.matmul(v);
    const outputs: Record<string, Tensor> = { out };
    if (readAgain) outputs.again = a.mul(a).matmul(v);
    return outputs;
  });
}

async function runBoth(graph: Graph, inputs: Record<string, number[]>) {
  const exe = await compile(graph, deviceOf(acquired).device);
  const got = await exe.run(inputs);
  exe.destroy();
  const want = evaluate(graph, { inputs }).outputs;
  for (const name of Object.keys(want)) expect(Array.from(toArray(got[name]!)), name).toEqual(Array.from(toArray(want[name]!)));
}

describe.skipIf(skip)('elementwise kernels writing in place', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  for (const [label, [m, k, n]] of [['vec4 stores [8, 12]', [8, 5, 12]], ['scalar stores with a tail [7, 9]', [7, 5, 9]]] as const) {
    it(`overwrites a temporary it reads last, and matches the CPU: ${label}`, async () => {
      const graph = chain(m, k, n, false);
      expect(overwritesMatmul(compileProgram(graph, LIMITS))).toBe(true);
      await runBoth(graph, { x: ints(m * k, 1), w: ints(k * n, 2), y: ints(m * n, 3), v: ints(n * 3, 4) });
    });
  }

  it('leaves a temporary that a later kernel still reads', async () => {
    const [m, k, n] = [8, 5, 12];
    const graph = chain(m, k, n, true);
    expect(overwritesMatmul(compileProgram(graph, LIMITS))).toBe(false);
    await runBoth(graph, { x: ints(m * k, 1), w: ints(k * n, 2), y: ints(m * n, 3), v: ints(n * 3, 4) });
  });

  it('leaves a temporary read at other indices (a broadcast into a wider result)', () => {
    const graph = trace((b) => {
      const a = b.input('x', [8, 5]).matmul(b.input('w', [5, 1]));
      return { out: a.add(b.input('y', [8, 12])).matmul(b.input('v', [12, 3])) };
    });
    expect(overwritesMatmul(compileProgram(graph, LIMITS))).toBe(false);
  });

  it('adds a step loop body partial product into its running sum over the partial, not the carry', async () => {
    // The checkpointed gradient's dW1 pattern: each step adds x_tᵀ·d_t into a carry.
    const [T, B, I, H] = [4, 3, 5, 8];
    const graph = trace((b) => {
      const r = b.scan({
        carries: [b.constant(0, [I, H])],
        sequences: [b.input('x', [T, B, I]), b.input('d', [T, B, H])],
        body: (_sb, [sum], [x, d]) => ({ carries: [sum!.add(x!.transpose([1, 0]).matmul(d!))], outputs: [] }),
      });
      return { dw: r.carries[0]! };
    });
    const program = compileProgram(graph, LIMITS);
    const add = kernels(program.steps).find((s) => s.source.kind === 'elementwise')!;
    const carry = [...program.values.keys()].find((id: NodeId) => id.endsWith('carry0') || program.values.get(id)!.role === 'output')!;
    expect(add.args).toContain(carry); // the carry is read through its own binding...
    expect(program.slots.get(add.args.at(-1)!)).not.toBe(program.slots.get(carry)); // ...and not written over
    expect(overwritesMatmul(program)).toBe(true);
    await runBoth(graph, { x: ints(T * B * I, 5), d: ints(T * B * H, 6) });
  });
});
