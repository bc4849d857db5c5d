// Scans on the WebAssembly backend against core's CPU reference in float32: an elementwise body
// (ONE kernel looping over t per element, carries in locals) and a body with a matmul (a step
// loop), forward and reverse, on 1 and 2 threads.
import { tensor, trace, type Graph } from '@spikeflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { compileWasmProgram } from '../src/compiler/compile.js';
import type { Step } from '../src/compiler/program.js';
import type { WasmExecutable } from '../src/runtime/executable.js';
import { bits, compiled, reference, values } from './support/compare.js';

const T = 5;
const open: WasmExecutable[] = [];
afterEach(() => open.splice(0).forEach((e) => e.destroy()));

/** LIF-like: v ← 0.9·v + x_t; s = (v > θ); v ← v − s·θ; per step the spikes and v; θ a per-neuron const. */
function lifScan(reverse: boolean, B: number, N: number): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, N]);
    const theta = b.input('theta', [N]);
    const v0 = b.input('v0', [B, N]);
    const { carries, outputs } = b.scan({
      carries: [v0],
      sequences: [x],
      consts: [theta],
      reverse,
      body: (_b, [v], [xt], [th]) => {
        const u = v!.mul(0.9).add(xt!);
        const s = u.greater(th!).cast('f32');
        const next = u.sub(s.mul(th!));
        return { carries: [next], outputs: [s, next] };
      },
    });
    return { v: carries[0]!, spikes: outputs[0]!, trace: outputs[1]! };
  });
}

/** h ← h·W + x_t (a matmul in the body: a step loop); per step h. Small integers keep every sum exact. */
function matmulScan(reverse: boolean): Graph {
  return trace((b) => {
    const x = b.input('x', [T, 2, 3]);
    const w = b.input('w', [3, 3]);
    const h0 = b.input('h0', [2, 3]);
    const { carries, outputs } = b.scan({
      carries: [h0],
      sequences: [x],
      consts: [w],
      reverse,
      body: (_b, [h], [xt], [wc]) => {
        const next = h!.matmul(wc!).add(xt!);
        return { carries: [next], outputs: [next.mul(2)] };
      },
    });
    return { h: carries[0]!, hs: outputs[0]! };
  });
}

/** c ← c/2 + Σ_j x_t[:, j] (a reduction in the body: a step loop); per step c and the row sums. */
function sumScan(reverse: boolean): Graph {
  return trace((b) => {
    const x = b.input('x', [T, 2, 3]);
    const c0 = b.input('c0', [2]);
    const { carries, outputs } = b.scan({
      carries: [c0],
      sequences: [x],
      reverse,
      body: (_b, [c], [xt]) => {
        const rows = xt!.sum(1);
        const next = c!.mul(0.5).add(rows);
        return { carries: [next], outputs: [next, rows] };
      },
    });
    return { c: carries[0]!, cs: outputs[0]!, rows: outputs[1]! };
  });
}

/** A scan in a scan: per outer step, an inner elementwise scan over z reads the outer step's slice of x. */
function nestedScan(): Graph {
  return trace((b) => {
    const x = b.input('x', [T, 2, 3]);
    const z = b.input('z', [4, 2, 3]);
    const h0 = b.input('h0', [2, 3]);
    const { carries, outputs } = b.scan({
      carries: [h0],
      sequences: [x],
      consts: [z],
      body: (ib, [h], [xt], [zc]) => {
        const inner = ib.scan({
          carries: [h!],
          sequences: [zc!],
          consts: [xt!],
          reverse: true,
          body: (_b, [c], [zs], [xs]) => ({ carries: [c!.mul(0.5).add(zs!).add(xs!)], outputs: [c!] }),
        });
        return { carries: [inner.carries[0]!], outputs: [inner.outputs[0]!.sum(0)] };
      },
    });
    return { h: carries[0]!, sums: outputs[0]! };
  });
}

const kinds = (steps: readonly Step[]): string[] => steps.map((s) => s.kind);

describe('scans on the WebAssembly backend', () => {
  for (const reverse of [false, true]) {
    it(`an elementwise scan is one kernel and equals the CPU reference bit for bit (${reverse ? 'reverse' : 'forward'})`, async () => {
      const [B, N] = [3, 5];
      const graph = lifScan(reverse, B, N);
      expect(kinds(compileWasmProgram(graph).steps)).toEqual(['kernel']);
      const inputs = {
        x: tensor([T, B, N], values(T * B * N, 1).map((v) => v + 0.5)),
        theta: tensor([N], [0.5, 0.8, 1, 1.2, 1.5]),
        v0: tensor([B, N], values(B * N, 2)),
      };
      const want = reference(graph, inputs);
      const exe = await compiled(graph);
      open.push(exe);
      const got = await exe.run(inputs);
      for (const name of ['v', 'spikes', 'trace']) expect(bits(got[name]!), name).toEqual(bits(want[name]!));
      expect(got.spikes!.data.some((s) => s === 1) && got.spikes!.data.some((s) => s === 0)).toBe(true);
    });

    it(`a scan with a matmul in its body is a step loop and equals the CPU reference (${reverse ? 'reverse' : 'forward'})`, async () => {
      const graph = matmulScan(reverse);
      expect(kinds(compileWasmProgram(graph).steps)).toContain('loop');
      const inputs = { x: tensor([T, 2, 3], values(T * 6, 3, true)), w: tensor([3, 3], [1, 0, -1, 0, 1, 1, 1, -1, 0]), h0: tensor([2, 3], values(6, 4, true)) };
      const want = reference(graph, inputs);
      const exe = await compiled(graph);
      open.push(exe);
      const got = await exe.run(inputs);
      expect(bits(got.h!)).toEqual(bits(want.h!));
      expect(bits(got.hs!)).toEqual(bits(want.hs!));
    });

    it(`a scan with a reduction in its body is a step loop and equals the CPU reference (${reverse ? 'reverse' : 'forward'})`, async () => {
      const graph = sumScan(reverse);
      expect(kinds(compileWasmProgram(graph).steps)).toContain('loop');
      const inputs = { x: tensor([T, 2, 3], values(T * 6, 8, true)), c0: tensor([2], [3, -2]) };
      const want = reference(graph, inputs);
      const exe = await compiled(graph);
      open.push(exe);
      const got = await exe.run(inputs);
      for (const name of ['c', 'cs', 'rows']) expect(bits(got[name]!), name).toEqual(bits(want[name]!));
    });
  }

  it('runs a scan inside a step loop, reading the outer step\'s slice', async () => {
    const graph = nestedScan();
    const inputs = { x: tensor([T, 2, 3], values(T * 6, 9, true)), z: tensor([4, 2, 3], values(24, 10, true)), h0: tensor([2, 3], values(6, 11, true)) };
    const want = reference(graph, inputs);
    const exe = await compiled(graph);
    open.push(exe);
    const got = await exe.run(inputs);
    expect(bits(got.h!)).toEqual(bits(want.h!));
    expect(bits(got.sums!)).toEqual(bits(want.sums!));
  });

  it('splits a fused scan over 2 threads with the same bits as 1', async () => {
    const [B, N] = [16, 512];
    const graph = lifScan(false, B, N);
    const inputs = { x: tensor([T, B, N], values(T * B * N, 5).map((v) => v + 0.5)), theta: tensor([N], values(N, 6).map((v) => v + 1)), v0: tensor([B, N], values(B * N, 7)) };
    const one = await compiled(graph, 1);
    const two = await compiled(graph, 2);
    open.push(one, two);
    const [a, b] = [await one.run(inputs), await two.run(inputs)];
    for (const name of ['v', 'spikes', 'trace']) expect(bits(b[name]!), name).toEqual(bits(a[name]!));
    expect(bits(a.v!)).toEqual(bits(reference(graph, inputs).v!));
  });
});
