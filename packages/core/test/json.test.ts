import { describe, expect, it } from 'vitest';
import type { Graph } from '../src/graph.js';
import { initParams } from '../src/init.js';
import { evaluate, type Feeds } from '../src/interpreter/evaluate.js';
import { tensor, toArray, type HostTensor } from '../src/host-tensor.js';
import { graphFromJSON, graphToJSON } from '../src/json/graph-json.js';
import { trace } from '../src/trace/builder.js';

/** Every output and next state as plain numbers, keyed `outputs.<name>` / `state.<name>`. */
function numbers(graph: Graph, feeds: Feeds): Record<string, number[]> {
  const r = evaluate(graph, feeds);
  const all = (kind: string, values: Readonly<Record<string, HostTensor>>) =>
    Object.entries(values).map(([name, t]) => [`${kind}.${name}`, toArray(t)] as const);
  return Object.fromEntries([...all('outputs', r.outputs), ...all('state', r.state)]);
}

/** Reloads `graph` from its JSON and checks the copy equals it as data and as a computation. */
function expectRoundTrip(graph: Graph, feeds: Feeds): Graph {
  const text = graphToJSON(graph);
  const back = graphFromJSON(text);
  expect(back).toEqual(graph);
  expect(back).not.toBe(graph);
  expect(Object.isFrozen(back)).toBe(true);
  expect(graphToJSON(back)).toBe(text);
  const expected = numbers(graph, feeds);
  expect(Object.keys(expected).length).toBeGreaterThan(0);
  expect(numbers(back, feeds)).toEqual(expected);
  return back;
}

const ramp = (n: number, scale = 0.25) => Array.from({ length: n }, (_, i) => (i - n / 2) * scale);

const mlp = trace((b) => {
  const x = b.input('x', [4, 3]);
  const h = b.scope('layer1', () => {
    const w = b.param('w', [3, 5], { kind: 'normal', mean: 0, std: 0.5 });
    const bias = b.param('b', [5], { kind: 'fill', value: 0.1 });
    return x.matmul(w).add(bias).tanh();
  });
  const y = b.scope('layer2', () => {
    const w = b.param('w', [5, 2], { kind: 'uniform', low: -1, high: 1 });
    return h.matmul(w).sigmoid();
  });
  const total = b.state('total', [2], { kind: 'values', values: [1, 2] });
  b.setState(total, total.add(y.sum(0)));
  return { y, total };
});

describe('graph JSON round trip', () => {
  it('keeps an MLP with params and state, numbers included', () => {
    const back = expectRoundTrip(mlp, {
      inputs: { x: ramp(12) },
      params: initParams(mlp, { seed: 3 }),
      state: { total: [0.5, -0.5] },
    });
    expect(back.params.map((id) => back.nodes[id]!.name)).toEqual(['layer1/w', 'layer1/b', 'layer2/w']);
    expect(back.state).toEqual(mlp.state);
  });

  it('keeps a scan whose body holds another scan', () => {
    const g = trace((b) => {
      const xs = b.input('xs', [3, 4, 2]);
      const gain = b.input('gain', [2]);
      const outer = b.scan({
        carries: [b.constant(0, [2])],
        sequences: [xs],
        body: (_bb, [v], [rows]) => {
          // The inner scan walks the 4 rows of this step; `gain` is captured through both bodies.
          const inner = _bb.scan({
            carries: [v!],
            sequences: [rows!],
            reverse: true,
            body: (_bi, [c], [row]) => {
              const next = c!.mul(0.5).add(row!.mul(gain));
              return { carries: [next], outputs: [next.sub(0.2).spike('sigmoid')] };
            },
          });
          return { carries: [inner.carries[0]!], outputs: [inner.outputs[0]!.sum(0)] };
        },
      });
      return { v: outer.carries[0]!, counts: outer.outputs[0]! };
    });
    const scan = Object.values(g.nodes).find((n) => n.op === 'scan')!;
    expect(Object.values((scan.attrs as { body: Graph }).body.nodes).some((n) => n.op === 'scan')).toBe(true);
    expectRoundTrip(g, { inputs: { xs: ramp(24, 0.1), gain: [1, -2] } });
  });

  it('keeps a customVjp with its forward and backward graphs', () => {
    const g = trace((b) => {
      const x = b.input('x', [3]);
      const [y] = b.scope('act', () =>
        b.customVjp([x], {
          forward: (_fb, [xi]) => ({ outputs: [xi!.tanh()], residuals: [xi!] }),
          // A straight-through style backward: pass the cotangent, scaled by 1 - x^2 clipped at 0.
          backward: (_bb, [r], [dy]) => [dy!.mul(r!.mul(r!).neg().add(1).maximum(0))],
        }),
      );
      return { y: y! };
    });
    const back = expectRoundTrip(g, { inputs: { x: [-1, 0.25, 2] } });
    const node = Object.values(back.nodes).find((n) => n.op === 'customVjp')!;
    expect(node.name).toBe('act/customVjp');
  });

  it('keeps spikes with named and custom surrogates', () => {
    const g = trace((b) => {
      const v = b.input('v', [2, 3]);
      const custom = v.spike({ derivative: (_sb, x) => x.abs().mul(-2).exp() });
      const named = v.sub(0.5).spike({ kind: 'triangle', alpha: 0.7 });
      return { custom, named, both: custom.add(named) };
    });
    const back = expectRoundTrip(g, { inputs: { v: [-1, -0.5, 0, 0.4, 0.5, 3] } });
    const spikes = Object.values(back.nodes).filter((n) => n.op === 'spike');
    expect(spikes.map((n) => (n.attrs as { surrogate: { kind: string } }).surrogate.kind).sort()).toEqual(['custom', 'triangle']);
  });

  it('keeps constants of every dtype, and the sign of -0', () => {
    const g = trace((b) => {
      const f = b.constant([1.5, -2.25, 3e-8, 1e30], [2, 2], 'f32');
      const i = b.constant(-7, [2, 2], 'i32');
      const u = b.constant([0, 1, 2 ** 32 - 1, 7], [2, 2], 'u32');
      const bool = b.constant([1, 0, 0, 1], [2, 2], 'bool');
      const negZero = b.constant(-0, [], 'f32');
      return {
        f,
        i,
        u,
        bool,
        mixed: f.add(i.cast('f32')).add(u.cast('f32')).mul(bool.cast('f32')),
        // 1 / -0 is -Infinity: only a kept sign gives the same number back.
        inf: b.constant(1).div(negZero),
      };
    });
    const text = graphToJSON(g);
    expect(text).toContain('"value":"-0"');
    const back = expectRoundTrip(g, {});
    const r = evaluate(back);
    expect(toArray(r.outputs.inf!)).toEqual([-Infinity]);
    expect(r.outputs.u!.data).toBeInstanceOf(Uint32Array);
    expect(toArray(r.outputs.u!)).toEqual([0, 1, 2 ** 32 - 1, 7]);
    expect(r.outputs.bool!.type).toEqual({ shape: [2, 2], dtype: 'bool' });
  });
});

describe('graph JSON text', () => {
  it('is an envelope with format and version', () => {
    const parsed = JSON.parse(graphToJSON(mlp)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['format', 'version', 'graph']);
    expect(parsed.format).toBe('spikeflow-graph');
    expect(parsed.version).toBe(1);
    expect(Object.keys(parsed.graph as object)).toEqual(['nodes', 'inputs', 'params', 'state', 'outputs']);
    const nodes = (parsed.graph as { nodes: Record<string, object> }).nodes;
    expect(Object.keys(nodes['n0']!)).toEqual(['id', 'op', 'inputs', 'attrs', 'type', 'name']);
  });

  it('is stable: equal graphs give equal text however their objects were built', () => {
    const shuffled: Graph = { ...mlp, nodes: Object.fromEntries(Object.entries(mlp.nodes).reverse()) };
    expect(Object.keys(shuffled.nodes)).not.toEqual(Object.keys(mlp.nodes));
    expect(graphToJSON(shuffled)).toBe(graphToJSON(mlp));
    // Natural id order: n2 before n10.
    const ids = Object.keys((JSON.parse(graphToJSON(mlp)) as { graph: { nodes: object } }).graph.nodes);
    expect(ids.indexOf('n2')).toBeLessThan(ids.indexOf('n10'));
  });

  it('pretty-prints on request and reads back the same graph', () => {
    const pretty = graphToJSON(mlp, { pretty: true });
    expect(pretty).toContain('\n  "format": "spikeflow-graph",\n  "version": 1,');
    expect(pretty.length).toBeGreaterThan(graphToJSON(mlp).length);
    expect(graphFromJSON(pretty)).toEqual(mlp);
  });

  it('feeds a reloaded graph the same way as the original', () => {
    const back = graphFromJSON(graphToJSON(mlp));
    const params = initParams(back, { seed: 1 });
    const x = tensor([4, 3], ramp(12));
    expect(numbers(back, { inputs: { x }, params })).toEqual(numbers(mlp, { inputs: { x }, params }));
  });
});
