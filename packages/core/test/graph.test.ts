import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { eliminateDeadNodes, evaluate, SpikeflowError, toArray, toDot, topologicalOrder, trace, type Graph } from '../src/index.js';

const mlp = () =>
  trace((b) => {
    const x = b.input('x', [2, 3]);
    const w = b.param('w', [3, 2], { kind: 'values', values: [1, 0, 0, 1, 1, 1] });
    const unused = b.scope('dead', () => x.exp().sum());
    void unused;
    const y = b.scope('layer1', () => x.matmul(w).relu());
    return { y };
  });

describe('graph values', () => {
  it('is deeply frozen', () => {
    const g = mlp();
    expect(Object.isFrozen(g)).toBe(true);
    expect(Object.isFrozen(g.nodes)).toBe(true);
    const anyNode = Object.values(g.nodes)[0]!;
    expect(Object.isFrozen(anyNode.type)).toBe(true);
    expect(() => {
      (g.outputs as { name: string; node: string }[]).push({ name: 'z', node: 'n0' });
    }).toThrow();
  });

  it('names nodes by scope path', () => {
    const names = Object.values(mlp().nodes).map((n) => n.name);
    expect(names).toContain('layer1/matmul');
    expect(names).toContain('layer1/where');
    expect(names).toContain('dead/exp');
  });

  it('is edited through immer: a new graph that shares untouched nodes', () => {
    const g = mlp();
    const matmul = Object.values(g.nodes).find((n) => n.op === 'matmul')!;
    const renamed = produce(g, (draft) => {
      draft.nodes[matmul.id]!.name = 'layer1/projection';
    });
    expect(renamed).not.toBe(g);
    expect(renamed.nodes[matmul.id]!.name).toBe('layer1/projection');
    expect(g.nodes[matmul.id]!.name).toBe('layer1/matmul');
    const other = Object.keys(g.nodes).find((id) => id !== matmul.id)!;
    expect(renamed.nodes[other]).toBe(g.nodes[other]);
  });
});

describe('analysis', () => {
  it('orders nodes inputs-first and visits only what the outputs need', () => {
    const g = mlp();
    const order = topologicalOrder(g);
    const pos = (op: string) => order.findIndex((id) => g.nodes[id]!.op === op);
    expect(pos('input')).toBeLessThan(pos('matmul'));
    expect(pos('param')).toBeLessThan(pos('matmul'));
    expect(pos('matmul')).toBeLessThan(pos('where'));
    expect(order.some((id) => g.nodes[id]!.op === 'exp')).toBe(false);
  });

  it('eliminates dead nodes and keeps the interface', () => {
    const g = mlp();
    const pruned = eliminateDeadNodes(g);
    const ops = Object.values(pruned.nodes).map((n) => n.op);
    expect(ops).not.toContain('exp');
    expect(ops).not.toContain('sum');
    expect(ops).toContain('param');
    expect(Object.keys(pruned.nodes).length).toBe(Object.keys(g.nodes).length - 2);
    // Same numbers before and after: x @ w = [[1+3, 2+3], [4+6, 5+6]] (w = [[1,0],[0,1],[1,1]]).
    const feeds = { inputs: { x: [1, 2, 3, 4, 5, 6] }, params: { w: [1, 0, 0, 1, 1, 1] } };
    expect(toArray(evaluate(pruned, feeds).outputs.y!)).toEqual([4, 5, 10, 11]);
    expect(toArray(evaluate(g, feeds).outputs.y!)).toEqual([4, 5, 10, 11]);
  });

  it('rejects a cycle, naming the nodes on it', () => {
    const g = mlp();
    const matmul = Object.values(g.nodes).find((n) => n.op === 'matmul')!;
    const relu = Object.values(g.nodes).find((n) => n.op === 'where')!;
    const cyclic: Graph = produce(g, (draft) => {
      (draft.nodes[matmul.id]!.inputs as string[])[0] = relu.id;
    });
    let error: unknown;
    try {
      topologicalOrder(cyclic);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).code).toBe('cycle');
    expect((error as Error).message).toMatch(/layer1\/(matmul|where|greater)/);
    expect((error as Error).message).toContain('outside scan');
  });

  it('exports DOT with one box per node and one edge per input', () => {
    const g = mlp();
    const dot = toDot(g, 'mlp');
    expect(dot.startsWith('digraph "mlp" {')).toBe(true);
    const edges = Object.values(g.nodes).reduce((s, n) => s + n.inputs.length, 0);
    expect(dot.match(/ -> /g)!.length).toBe(edges + g.outputs.length);
    expect(dot).toContain('layer1/matmul\\nmatmul : f32[2, 2]');
    expect(dot).toContain('"out:y"');
  });
});
