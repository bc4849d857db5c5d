// Forward graphs on the WebAssembly backend against core's CPU reference in float32.
import { tensor, trace, type Graph } from '@spikeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { WasmExecutable } from '../src/runtime/executable.js';
import { bits, compiled, maxAbsDiff, reference, values } from './support/compare.js';

const open: WasmExecutable[] = [];
afterEach(() => open.splice(0).forEach((e) => e.destroy()));

/** x [M, K] → linear → relu → linear → tanh, and a mean over the batch. */
function mlp(M: number, K: number, H: number, C: number): Graph {
  return trace((b) => {
    const x = b.input('x', [M, K]);
    const w1 = b.input('w1', [K, H]);
    const b1 = b.input('b1', [H]);
    const w2 = b.input('w2', [H, C]);
    const h = x.matmul(w1).add(b1).relu();
    const y = h.matmul(w2).tanh();
    return { y, mean: y.mean(0) };
  });
}

function mlpInputs(M: number, K: number, H: number, C: number) {
  return { x: tensor([M, K], values(M * K, 1)), w1: tensor([K, H], values(K * H, 2)), b1: tensor([H], values(H, 3)), w2: tensor([H, C], values(H * C, 4)) };
}

describe('forward graphs on the WebAssembly backend', () => {
  it('an MLP forward equals the CPU reference within float32 reordering', async () => {
    const [M, K, H, C] = [4, 6, 8, 3];
    const graph = mlp(M, K, H, C);
    const inputs = mlpInputs(M, K, H, C);
    const want = reference(graph, inputs);
    const exe = await compiled(graph);
    open.push(exe);
    const got = await exe.run(inputs);
    // Sums of at most 8 products of values in [-1, 1): reordering them moves the result by at
    // most 8 · 2⁻²⁴ · Σ|terms| ≤ 8 · 2⁻²⁴ · 8 ≈ 4e-6 per layer; tanh's own error (a few ulps) is far smaller.
    expect(maxAbsDiff(got.y!, want.y!)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(got.mean!, want.mean!)).toBeLessThanOrEqual(1e-5);
    expect(got.y!.type).toEqual(want.y!.type);
  });

  it('splits an MLP over 2 threads with the same bits as 1', async () => {
    const [M, K, H, C] = [64, 96, 128, 40];
    const graph = mlp(M, K, H, C);
    const inputs = mlpInputs(M, K, H, C);
    const one = await compiled(graph, 1);
    const two = await compiled(graph, 2);
    open.push(one, two);
    const [a, b] = [await one.run(inputs), await two.run(inputs)];
    expect(bits(b.y!)).toEqual(bits(a.y!));
    expect(bits(b.mean!)).toEqual(bits(a.mean!));
    expect(maxAbsDiff(a.y!, reference(graph, inputs).y!)).toBeLessThanOrEqual(1e-4);
  });
});
