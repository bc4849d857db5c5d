// The compiler's simplify pass on its own (no device): what it removes, and that the result computes the same.
import { evaluate, toArray, trace, type Graph } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { describe, expect, it } from 'vitest';
import { simplify } from '../src/compiler/simplify.js';

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
