// Random draws (core's counter-based Philox) through the compiler: fused into elementwise kernels
// and drawn per step inside a step loop, bit for bit the CPU reference's.
import { tensor, trace } from '@spikeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { WasmExecutable } from '../src/runtime/executable.js';
import { bits, compiled, reference } from './support/compare.js';

const open: WasmExecutable[] = [];
afterEach(() => open.splice(0).forEach((e) => e.destroy()));

describe('random draws on the WebAssembly backend', () => {
  it('uniform and bernoulli equal the CPU reference bit for bit, fused and per scan step', async () => {
    const [T, N] = [4, 37];
    const graph = trace((b) => {
      const step = b.input('step', [], 'i32');
      const p = b.input('p', [N]);
      const u = b.uniform([3, N], 5, step);
      const masked = b.bernoulli(p, [3, N], 9, step).mul(u);
      // A carried counter: each step draws with its own counter, so the draws cannot be hoisted.
      const { carries, outputs } = b.scan({
        length: T,
        carries: [step],
        consts: [p],
        body: (sb, [k], _slices, [pc]) => ({ carries: [k!.add(1)], outputs: [sb.bernoulli(pc!, [N], 11, k!)] }),
      });
      return { u, masked, draws: outputs[0]!, last: carries[0]! };
    });
    const inputs = { step: tensor([], [7], 'i32'), p: tensor([N], Array.from({ length: N }, (_, i) => i / (N - 1))) };
    const want = reference(graph, inputs);
    const exe = await compiled(graph);
    open.push(exe);
    const got = await exe.run(inputs);
    for (const name of ['u', 'masked', 'draws', 'last']) expect(bits(got[name]!), name).toEqual(bits(want[name]!));
    expect(new Set(got.draws!.data).size).toBe(2);
  });
});
