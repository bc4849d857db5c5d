// The compiler's simplify pass on its own (no device): what it removes, and that the result computes the same.
import { evaluate, toArray, trace, type Graph } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { describe, expect, it } from 'vitest';
import { simplify } from '../src/passes/simplify.js';

const opsOf = (g: Graph) => Object.values(g.nodes).map((n) => n.op);
const count = (g: Graph, op: string) => opsOf(g).filter((o) => o === op).length;

const x = Float32Array.from({ length: 12 }, (_, i) => (i - 5) * 0.75);
const y = Float32Array.from({ length: 12 }, (_, i) => 1 + i * 0.5);

function sameOutputs(original: Graph, simplified: Graph, inputs: Record<string, Float32Array>): void {
  const want = evaluate(original, { inputs }).outputs;
  const got = evaluate(simplified, { inputs }).outputs;
  for (const name of Object.keys(want)) expect(toArray(got[name]!)).toEqual(toArray(want[name]!));
}

describe('simplify: neutral operations', () => {
  it('drops x·1, 1·x, x/1, x+0, 0+x, x−0 and x^1, also with a broadcast ones tensor', () => {
    const g = trace((b) => {
      const a = b.input('x', [3, 4]);
      const ones = b.constant(1, []).broadcastTo([3, 4]);
      const big = b.constant(0, [3, 4]);
      return { y: a.mul(1).mul(ones).div(1).add(0).add(big).sub(0).pow(1), z: ones.mul(a).add(a) };
    });
    const s = simplify(g);
    expect(['mul', 'div', 'sub', 'pow'].map((op) => count(s, op))).toEqual([0, 0, 0, 0]);
    // Only z's x + x is left.
    expect(count(s, 'add')).toBe(1);
    sameOutputs(g, s, { x });
  });

  it('keeps an operation whose neutral operand decides the result shape or dtype', () => {
    const g = trace((b) => {
      const a = b.input('x', [12]);
      return { widened: a.mul(b.constant(1, [2, 12])), notNeutral: a.mul(2).add(1) };
    });
    const s = simplify(g);
    expect(count(s, 'mul')).toBe(2);
    expect(count(s, 'add')).toBe(1);
    sameOutputs(g, s, { x });
  });

  it('removes the ones-times-cotangent product of a sum gradient (one kernel fewer)', () => {
    const g = grad(
      trace((b) => {
        const a = b.input('x', [12]);
        const w = b.input('w', [12]);
        return { loss: a.mul(a).mul(w).sum() };
      }),
      { of: 'loss', wrt: ['x'] },
    );
    const s = simplify(g);
    expect(count(s, 'mul')).toBeLessThan(count(g, 'mul'));
    sameOutputs(g, s, { x, w: y });
  });
});

describe('simplify: transposes a matmul reads in place', () => {
  it('turns matmul(Aᵀ, Bᵀ) into a matmul with its transpose flags flipped, batched too; keeps other transposes', () => {
    const g = trace((b) => {
      const a = b.input('x', [3, 4]);
      const c = b.input('y', [4, 3]);
      const batched = a.reshape([2, 3, 2]);
      return {
        ab: a.transpose([1, 0]).matmul(c.transpose([1, 0])), // Aᵀ Cᵀ [4, 4]: both flags set
        flipped: a.transpose([1, 0]).matmul(c, { transposeA: true }), // (Aᵀ)ᵀ C = A C [3, 3]: no flag left
        perBatch: batched.transpose([0, 2, 1]).matmul(batched), // [2, 2, 3] @ [2, 3, 2]
        kept: batched.transpose([1, 0, 2]).reshape([3, 4]).matmul(c), // not a swap of the last two axes
      };
    });
    const s = simplify(g);
    // Only `kept`'s transpose is left.
    expect(count(s, 'transpose')).toBe(1);
    const flags = Object.values(s.nodes).flatMap((n) => (n.op === 'matmul' ? [`${n.attrs.transposeA}/${n.attrs.transposeB}`] : [])).sort();
    expect(flags).toEqual(['false/false', 'false/false', 'true/false', 'true/true']);
    sameOutputs(g, s, { x, y });
  });
});
