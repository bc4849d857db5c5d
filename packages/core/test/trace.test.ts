import { describe, expect, it } from 'vitest';
import { evaluate, toArray, trace } from '../src/index.js';
import { errorOf } from './support/trace-helpers.js';

describe('tracing front door', () => {
  it('rejects a bad shape at build time, naming the scope path, expected and found', () => {
    const e = errorOf(() =>
      trace((b) => {
        const x = b.input('x', [4, 3]);
        const w = b.param('w', [5, 2], { kind: 'zeros' });
        return { y: b.scope('encoder', () => b.scope('proj', () => x.matmul(w))) };
      }),
    );
    expect(e.code).toBe('shape');
    expect(e.where).toBe('encoder/proj/matmul');
    expect(e.message).toContain('encoder/proj/matmul');
    expect(e.message).toContain('3');
    expect(e.message).toContain('5');
  });

  it('resolves -1 in reshape and python-style slices', () => {
    const g = trace((b) => {
      const x = b.input('x', [2, 6]);
      return { r: x.reshape([-1, 3]), s: x.slice([0, -3], [undefined, undefined], [1, 2]) };
    });
    const out = evaluate(g, { inputs: { x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } }).outputs;
    expect(out.r!.type.shape).toEqual([4, 3]);
    // Columns 3..5 with step 2 -> columns 3 and 5 of each row.
    expect(toArray(out.s!)).toEqual([3, 5, 9, 11]);
  });

  it('names params by scope so two layers may both have a `w`', () => {
    const g = trace((b) => {
      const x = b.input('x', [1, 2]);
      const h = b.scope('l1', () => x.matmul(b.param('w', [2, 2], { kind: 'ones' })));
      return { y: b.scope('l2', () => h.matmul(b.param('w', [2, 1], { kind: 'ones' }))) };
    });
    const names = g.params.map((id) => (g.nodes[id]!.attrs as { name: string }).name);
    expect(names).toEqual(['l1/w', 'l2/w']);
    // [1, 2] @ ones(2,2) = [3, 3]; @ ones(2,1) = [6].
    expect(toArray(evaluate(g, { inputs: { x: [1, 2] }, params: { 'l1/w': [1, 1, 1, 1], 'l2/w': [1, 1] } }).outputs.y!)).toEqual([6]);
  });

  it('carries state between calls as an explicit edge', () => {
    const g = trace((b) => {
      const x = b.input('x', [2]);
      const total = b.state('total', [2]);
      const next = total.add(x);
      b.setState(total, next);
      return { total: next };
    });
    const first = evaluate(g, { inputs: { x: [1, 2] } });
    expect(toArray(first.state.total!)).toEqual([1, 2]);
    const second = evaluate(g, { inputs: { x: [10, 20] }, state: first.state });
    expect(toArray(second.outputs.total!)).toEqual([11, 22]);
    // A fresh call without state starts from the initializer (zeros): nothing hidden to reset.
    expect(toArray(evaluate(g, { inputs: { x: [5, 5] } }).outputs.total!)).toEqual([5, 5]);
  });

  it('traces a user surrogate derivative into the spike attrs as a graph', () => {
    const g = trace((b) => {
      const x = b.input('x', [3]);
      return { s: x.spike({ derivative: (_, v) => v.abs().neg().exp() }) };
    });
    const spike = Object.values(g.nodes).find((n) => n.op === 'spike')!;
    const surrogate = (spike.attrs as { surrogate: { kind: string; derivative?: { nodes: object } } }).surrogate;
    expect(surrogate.kind).toBe('custom');
    expect(Object.values(surrogate.derivative!.nodes).map((n) => (n as { op: string }).op)).toEqual(['input', 'abs', 'neg', 'exp']);
    expect(toArray(evaluate(g, { inputs: { x: [-0.5, 0, 0.5] } }).outputs.s!)).toEqual([0, 1, 1]);
  });

  it('fills scalar operands with the dtype of the other operand', () => {
    const g = trace((b) => ({ y: b.input('k', [2], 'i32').mul(3) }));
    const out = evaluate(g, { inputs: { k: [2, -4] } }).outputs.y!;
    expect(out.type.dtype).toBe('i32');
    expect(toArray(out)).toEqual([6, -12]);
  });
});
