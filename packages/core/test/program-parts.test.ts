// The backend-neutral parts of a compiled program, on a small graph checked by hand: the values and
// work a partition hands a backend, and the program's interface with its state-update copies.
import { describe, expect, it } from 'vitest';
import type { Graph, NodeId, Primitive } from '../src/graph.js';
import { ELEMENTWISE } from '../src/passes/elementwise-nodes.js';
import { partition } from '../src/passes/partition.js';
import { partitionValues, partitionWork } from '../src/passes/partition-work.js';
import { programInterface, stateUpdateCopies } from '../src/passes/program.js';
import { trace } from '../src/trace/builder.js';

const isFusible = (op: Primitive) => ELEMENTWISE.has(op) || op === 'reshape';

/**
 * x [2, 3] · w [3, 4] (a kernel), then tanh(· + 1) fused into one kernel (y), its reshape to [8]
 * (an alias of y), a counter state advanced by 1, and a state `kept` never updated.
 */
function smallGraph(): { graph: Graph; ids: Record<string, NodeId> } {
  const ids: Record<string, NodeId> = {};
  const graph = trace((b) => {
    const x = b.input('x', [2, 3]);
    const w = b.param('w', [3, 4], { kind: 'zeros' });
    const count = b.state('count', [1]);
    const kept = b.state('kept', [1]);
    const xw = x.matmul(w);
    const y = xw.add(1).tanh();
    const flat = y.reshape([8]);
    b.setState(count, count.add(1));
    Object.assign(ids, { x: x.id, w: w.id, count: count.id, kept: kept.id, xw: xw.id, y: y.id, flat: flat.id });
    return { y, flat, kept: kept.mul(2) };
  });
  return { graph, ids };
}

describe('partitionValues and partitionWork', () => {
  const { graph, ids } = smallGraph();
  const part = partition(graph, Infinity, isFusible);
  const update = graph.state.find((s) => s.node === ids.count)!.update;

  it('gives every materialized node but an alias a value, with its role, leaf name and type', () => {
    const values = partitionValues(graph, part, new Set([ids.y!]));
    const byId = new Map(values.map((v) => [v.id, v]));
    expect(byId.has(ids.flat!)).toBe(false); // the reshape is y's memory
    expect(byId.get(ids.x!)).toMatchObject({ role: 'input', type: { shape: [2, 3] }, extra: { name: 'x' } });
    expect(byId.get(ids.w!)).toMatchObject({ role: 'param', type: { shape: [3, 4] }, extra: { name: 'w' } });
    expect(byId.get(ids.count!)).toMatchObject({ role: 'state', extra: { name: 'count' } });
    expect(byId.get(ids.xw!)).toMatchObject({ role: 'temp', type: { shape: [2, 4] }, extra: {} });
    expect(byId.get(ids.y!)).toMatchObject({ role: 'output', type: { shape: [2, 4] }, extra: {} });
    expect(byId.get(update)).toMatchObject({ role: 'temp', type: { shape: [1] } });
  });

  it('lists the kernels in order with their fused members and loads, leaves and aliases left out', () => {
    const work = partitionWork(graph, part);
    const kernels = work.filter((w) => w.kind === 'kernel');
    expect(kernels.map((k) => k.id)).toEqual(expect.arrayContaining([ids.xw, ids.y, update]));
    expect(kernels.some((k) => k.id === ids.flat || k.id === ids.x || k.id === ids.w)).toBe(false);
    const y = kernels.find((k) => k.id === ids.y)!;
    // tanh(xw + 1): the 1, the add and y itself computed inside, xw read.
    expect(y.loads).toEqual([ids.xw]);
    expect(y.members.map((id) => graph.nodes[id]!.op).sort()).toEqual(['add', 'constant', 'tanh']);
    expect([...kernels.find((k) => k.id === ids.xw)!.loads].sort()).toEqual([ids.x, ids.w].sort());
    expect(kernels.findIndex((k) => k.id === ids.xw)).toBeLessThan(kernels.findIndex((k) => k.id === ids.y));
  });

  it('passes a scan on as a whole', () => {
    const scanned = trace((b) => {
      const { carries } = b.scan({ carries: [b.input('c', [2])], sequences: [b.input('xs', [3, 2])], body: (_b, [c], [x]) => ({ carries: [c!.add(x!)] }) });
      return { total: carries[0]! };
    });
    const work = partitionWork(scanned, partition(scanned, Infinity, isFusible));
    expect(work.map((w) => (w.kind === 'scan' ? w.node.op : w.kind))).toEqual(['scan']);
  });
});

describe('programInterface and stateUpdateCopies', () => {
  const { graph, ids } = smallGraph();
  const resolve = (id: NodeId) => (id === ids.flat ? ids.y! : id);
  const update = graph.state.find((s) => s.node === ids.count)!.update;

  it('names each input, param, state and output by its value, outputs through aliases', () => {
    const face = programInterface(graph, resolve);
    expect(face.inputs).toEqual([{ name: 'x', value: ids.x }]);
    expect(face.params).toEqual([{ name: 'w', value: ids.w }]);
    expect(face.state).toEqual([
      { name: 'count', value: ids.count, update, init: { kind: 'zeros' } },
      { name: 'kept', value: ids.kept, update: ids.kept, init: { kind: 'zeros' } },
    ]);
    expect(face.outputs.map((o) => [o.name, o.value])).toEqual([
      ['y', ids.y],
      ['flat', ids.y],
      ['kept', graph.outputs[2]!.node],
    ]);
  });

  it('copies an updated state back and leaves a state that is its own update alone', () => {
    expect(stateUpdateCopies(graph, resolve, () => 4)).toEqual([{ kind: 'copy', from: update, to: ids.count, bytes: 4 }]);
  });
});
