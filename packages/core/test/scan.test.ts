import { describe, expect, it } from 'vitest';
import { SpikeflowError } from '../src/errors.js';
import { nodesOf, type Graph, type PrimitiveAttrs } from '../src/graph.js';
import { evaluate, type Feeds } from '../src/interpreter/evaluate.js';
import { toArray } from '../src/host-tensor.js';
import { trace, type GraphBuilder } from '../src/trace/builder.js';
import type { Tensor } from '../src/trace/builder.js';
import { validateGraph } from '../src/validate.js';
import { errorOf } from './support/trace-helpers.js';

/** Runs a graph in f64 and returns each output's values and shape. */
function run(graph: Graph, inputs: Feeds['inputs']): Record<string, { values: number[]; shape: readonly number[] }> {
  const { outputs } = evaluate(graph, { inputs }, { precision: 'f64' });
  return Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, { values: toArray(t), shape: t.type.shape }]));
}

function expectClose(found: readonly number[], expected: readonly number[]): void {
  expect(found.length).toBe(expected.length);
  found.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 12));
}

describe('scan: forward semantics', () => {
  it('computes a cumulative sum: final carry and stacked per-step outputs', () => {
    const graph = trace((b) => {
      const x = b.input('x', [4, 2]);
      const { carries, outputs } = b.scan({
        carries: [b.constant(0, [2])],
        sequences: [x],
        body: (_b, [c], [xt]) => {
          const next = c!.add(xt!);
          return { carries: [next], outputs: [next] };
        },
      });
      return { total: carries[0]!, prefix: outputs[0]! };
    });
    validateGraph(graph);
    const r = run(graph, { x: [1, 2, 3, 4, 5, 6, 7, 8] });
    // c: [0,0] -> [1,2] -> [4,6] -> [9,12] -> [16,20]
    expect(r.total!.shape).toEqual([2]);
    expectClose(r.total!.values, [16, 20]);
    expect(r.prefix!.shape).toEqual([4, 2]);
    expectClose(r.prefix!.values, [1, 2, 4, 6, 9, 12, 16, 20]);
  });

  it('runs an LIF neuron (tau=2, v_th=1, v_reset=0, hard reset) with a spike-count carry', () => {
    const tau = 2;
    const vTh = 1;
    const vReset = 0;
    const graph = trace((b) => {
      const x = b.input('x', [4, 2]);
      const { carries, outputs } = b.scan({
        carries: [b.constant(0, [2]), b.constant(0, [2])],
        sequences: [x],
        body: (_b, [v, count], [xt]) => {
          // H = V + (X - (V - V_reset)) / tau;  S = spike(H - V_th);  V' = H(1 - S) + V_reset S
          const h = v!.add(xt!.sub(v!.sub(vReset)).div(tau));
          const s = h.sub(vTh).spike();
          const vNext = h.mul(s.neg().add(1)).add(s.mul(vReset));
          return { carries: [vNext, count!.add(s)], outputs: [s, vNext] };
        },
      });
      return { v: carries[0]!, count: carries[1]!, spikes: outputs[0]!, vs: outputs[1]! };
    });
    validateGraph(graph);
    // Column 0: x = 1.5, 1.5, 0.2, 3.0. With v_reset = 0, h = (v + x) / 2.
    //   t0: h = (0 + 1.5)/2 = 0.75   s = 0  v = 0.75
    //   t1: h = (0.75 + 1.5)/2 = 1.125 s = 1  v = 0
    //   t2: h = (0 + 0.2)/2 = 0.1    s = 0  v = 0.1
    //   t3: h = (0.1 + 3.0)/2 = 1.55 s = 1  v = 0        count = 2
    // Column 1: x = 2.0, 0.4, 1.0, 1.0.
    //   t0: h = (0 + 2)/2 = 1.0      s = spike(0) = 1 (x >= 0 fires)  v = 0
    //   t1: h = (0 + 0.4)/2 = 0.2    s = 0  v = 0.2
    //   t2: h = (0.2 + 1)/2 = 0.6    s = 0  v = 0.6
    //   t3: h = (0.6 + 1)/2 = 0.8    s = 0  v = 0.8      count = 1
    const r = run(graph, { x: [1.5, 2.0, 1.5, 0.4, 0.2, 1.0, 3.0, 1.0] });
    expectClose(r.v!.values, [0, 0.8]);
    expectClose(r.count!.values, [2, 1]);
    expect(r.spikes!.shape).toEqual([4, 2]);
    expectClose(r.spikes!.values, [0, 1, 1, 0, 0, 0, 1, 0]);
    expectClose(r.vs!.values, [0.75, 0, 0, 0.2, 0.1, 0.6, 0, 0.8]);
  });

  it('runs in reverse: stacked row t is still step t, so it holds sum(x[t..T-1])', () => {
    const graph = trace((b) => {
      const x = b.input('x', [4]);
      const { carries, outputs } = b.scan({
        carries: [b.constant(0)],
        sequences: [x],
        reverse: true,
        body: (_b, [c], [xt]) => {
          const next = c!.add(xt!);
          return { carries: [next], outputs: [next] };
        },
      });
      return { total: carries[0]!, suffix: outputs[0]! };
    });
    // x = [1,2,3,4]; steps run t = 3,2,1,0: c = 4, 4+3 = 7, 7+2 = 9, 9+1 = 10
    const r = run(graph, { x: [1, 2, 3, 4] });
    expectClose(r.total!.values, [10]);
    expectClose(r.suffix!.values, [10, 9, 7, 4]);
  });

  it('runs without sequences for an explicit length, with an explicit const', () => {
    const graph = trace((b) => {
      const k = b.input('k', []);
      const { carries, outputs } = b.scan({
        length: 3,
        carries: [b.constant(1)],
        consts: [k],
        body: (_b, [c], _slices, [kk]) => {
          const next = c!.mul(kk!);
          return { carries: [next], outputs: [next] };
        },
      });
      return { last: carries[0]!, all: outputs[0]! };
    });
    // k = 3: c = 1 -> 3 -> 9 -> 27
    const r = run(graph, { k: 3 });
    expectClose(r.last!.values, [27]);
    expectClose(r.all!.values, [3, 9, 27]);
  });

  it('nests: an outer scan over rows runs an inner scan over columns (running max)', () => {
    const graph = trace((b) => {
      const m = b.input('m', [3, 4]);
      const { carries, outputs } = b.scan({
        carries: [b.constant(0)],
        sequences: [m],
        body: (ob, [total], [row]) => {
          const inner = ob.scan({
            carries: [ob.constant(-1e9)],
            sequences: [row!],
            body: (_ib, [best], [e]) => {
              const next = best!.maximum(e!);
              return { carries: [next], outputs: [next] };
            },
          });
          const rowMax = inner.carries[0]!;
          return { carries: [total!.add(rowMax)], outputs: [rowMax, inner.outputs[0]!] };
        },
      });
      return { total: carries[0]!, rowMax: outputs[0]!, prefixMax: outputs[1]! };
    });
    validateGraph(graph);
    // row 0 [1,5,2,0]: prefix max [1,5,5,5], max 5
    // row 1 [3,1,4,1]: prefix max [3,3,4,4], max 4
    // row 2 [0,2,6,3]: prefix max [0,2,6,6], max 6;  total = 5 + 4 + 6 = 15
    const r = run(graph, { m: [1, 5, 2, 0, 3, 1, 4, 1, 0, 2, 6, 3] });
    expectClose(r.total!.values, [15]);
    expectClose(r.rowMax!.values, [5, 4, 6]);
    expect(r.prefixMax!.shape).toEqual([3, 4]);
    expectClose(r.prefixMax!.values, [1, 5, 5, 5, 3, 3, 4, 4, 0, 2, 6, 6]);
  });

  it('captures outer tensors the body uses without passing them as consts', () => {
    const graph = trace((b) => {
      const x = b.input('x', [3, 2]);
      const w = b.input('w', [2]);
      const { carries, outputs } = b.scan({
        carries: [b.constant(0, [2])],
        sequences: [x],
        body: (_b, [c], [xt]) => ({ carries: [c!.add(xt!.mul(w))], outputs: [xt!.add(w)] }),
      });
      return { c: carries[0]!, y: outputs[0]! };
    });
    validateGraph(graph);
    const scan = nodesOf(graph, 'scan')[0]!;
    // carry, sequence, then the captured w as a trailing const.
    expect(scan.inputs).toHaveLength(3);
    expect(scan.attrs.body.inputs).toHaveLength(3);
    // w = [10, 20]; c += x_t * w:  [10, 40] -> [10+30, 40+80] = [40, 120] -> [40+50, 120+120] = [90, 240]
    // y = x_t + w: [11,22], [13,24], [15,26]
    const r = run(graph, { x: [1, 2, 3, 4, 5, 6], w: [10, 20] });
    expectClose(r.c!.values, [90, 240]);
    expectClose(r.y!.values, [11, 22, 13, 24, 15, 26]);
  });

  it('captures a root tensor two scans deep', () => {
    const graph = trace((b) => {
      const x = b.input('x', [2, 2]);
      const k = b.input('k', []);
      const { carries, outputs } = b.scan({
        carries: [b.constant(0)],
        sequences: [x],
        body: (ob, [total], [row]) => {
          const inner = ob.scan({
            carries: [ob.constant(0)],
            sequences: [row!],
            body: (_ib, [s], [e]) => ({ carries: [s!.add(e!.mul(k))] }),
          });
          const rowSum = inner.carries[0]!;
          return { carries: [total!.add(rowSum)], outputs: [rowSum] };
        },
      });
      return { total: carries[0]!, rows: outputs[0]! };
    });
    validateGraph(graph);
    // k = 10: row 0 = 1*10 + 2*10 = 30; row 1 = 3*10 + 4*10 = 70; total = 100
    const r = run(graph, { x: [1, 2, 3, 4], k: 10 });
    expectClose(r.rows!.values, [30, 70]);
    expectClose(r.total!.values, [100]);
  });

  it('keeps float32 rounding under the default precision', () => {
    const graph = trace((b) => {
      const x = b.input('x', [2]);
      const { carries } = b.scan({ carries: [b.constant(0)], sequences: [x], body: (_b, [c], [xt]) => ({ carries: [c!.add(xt!)] }) });
      return { c: carries[0]! };
    });
    // 0.1 + 0.2 in float32 is fround(fround(0.1) + fround(0.2)) = 0.30000001192092896
    const { outputs } = evaluate(graph, { inputs: { x: [0.1, 0.2] } });
    expect(outputs.c!.data).toBeInstanceOf(Float32Array);
    expect(outputs.c!.data[0]).toBe(0.30000001192092896);
  });
});

/** A hand-made body graph for low-level `b.op('scan', ...)`: carry f32[carry], slice f32[slice]. */
function handBody(carry: number[], slice: number[]): Graph {
  return trace((b) => {
    const c = b.input('c', carry);
    const xt = b.input('xt', slice);
    return { next: c.add(xt.sum()) };
  });
}

function scanAttrs(body: Graph, overrides: Partial<PrimitiveAttrs['scan']> = {}): PrimitiveAttrs['scan'] {
  return { body, length: 4, numCarries: 1, numSequences: 1, reverse: false, ...overrides };
}

/** Traces `fn` inside scope `layer1`, with a carry c: f32[2] and a sequence x: f32[4, 2]. */
function inLayer(fn: (b: GraphBuilder, c: Tensor, x: Tensor) => Tensor): () => Graph {
  return () =>
    trace((b) => {
      const c = b.input('c', [2]);
      const x = b.input('x', [4, 2]);
      return { y: b.scope('layer1', () => fn(b, c, x)) };
    });
}

describe('scan: errors name the scan node and the carry/sequence at fault', () => {
  it('rejects a body that changes a carry\'s shape', () => {
    const e = errorOf(() =>
      trace((b) => {
        const a = b.input('a', [2]);
        const m = b.input('m', [2, 3]);
        const r = b.scope('layer1', () =>
          b.scan({ length: 2, carries: [a, m], body: (_b, [aa, mm]) => ({ carries: [aa!, mm!.sum(0)] }) }),
        );
        return { a: r.carries[0]! };
      }),
    );
    expect(e.code).toBe('scan');
    expect(e.where).toBe('layer1/scan');
    expect(e.message).toContain("at 'layer1/scan': carry 1 changes type in the body");
    expect(e.message).toContain('expected f32[2, 3]; found f32[3]');
  });

  it('rejects a sequence whose axis 0 differs from an explicit length', () => {
    const e = errorOf(
      inLayer((b, c, x) =>
        b.scan({ length: 5, carries: [c], sequences: [x], body: (_b, [cc], [xt]) => ({ carries: [cc!.add(xt!)] }) }).carries[0]!,
      ),
    );
    expect(e.where).toBe('layer1/scan');
    expect(e.message).toContain('sequence 0 has the wrong length along axis 0');
    expect(e.message).toContain('expected 5 (the scan length); found 4 in f32[4, 2]');
  });

  it('rejects a hand-made body whose carry input disagrees with the carry', () => {
    const e = errorOf(inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(handBody([3], [2]))).get(0)));
    expect(e.code).toBe('scan');
    expect(e.where).toBe('layer1/scan');
    expect(e.message).toContain('body input 0 does not match carry 0; expected f32[2]; found f32[3]');
  });

  it('rejects a hand-made body whose slice input disagrees with the sequence slice', () => {
    const e = errorOf(inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(handBody([2], [4, 2]))).get(0)));
    expect(e.message).toContain("at 'layer1/scan': body input 1 does not match a slice of sequence 0; expected f32[2]; found f32[4, 2]");
  });

  it('rejects a body with the wrong number of inputs', () => {
    const e = errorOf(inLayer((b, c, x) => b.op('scan', [c, x, c], scanAttrs(handBody([2], [2]))).get(0)));
    expect(e.message).toContain('the body takes a different number of inputs than the scan passes (1 carries, 1 sequences, 1 consts); expected 3; found 2');
  });

  it('rejects a body that returns fewer outputs than carries', () => {
    const e = errorOf(inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(handBody([2], [4, 2]), { numCarries: 2, numSequences: 0 })).get(0)));
    // Two carries: c, and x as a carry; the body returns one output.
    expect(e.message).toContain('fewer outputs than there are carries; expected >= 2; found 1');
  });

  it('rejects bad attrs: zero or fractional length, negative counts, counts beyond the inputs', () => {
    const body = handBody([2], [2]);
    expect(errorOf(inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(body, { length: 0 })).get(0))).message).toContain(
      "[attr] at 'layer1/scan': scan length must be a positive integer; expected >= 1; found 0",
    );
    expect(errorOf(inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(body, { length: 1.5 })).get(0))).message).toContain('found 1.5');
    expect(errorOf(inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(body, { numCarries: -1 })).get(0))).message).toContain(
      'scan numCarries must be a non-negative integer; expected >= 0; found -1',
    );
    expect(errorOf(inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(body, { numSequences: 2 })).get(0))).message).toContain(
      'scan has fewer inputs than its carries and sequences; expected >= 3 (1 carries + 2 sequences); found 2',
    );
  });

  it('asks for length when it cannot take it from a sequence', () => {
    const noSeq = errorOf(inLayer((b, c) => b.scan({ carries: [c], body: (_b, [cc]) => ({ carries: [cc!] }) }).carries[0]!));
    expect(noSeq.message).toContain("[scan] at 'layer1': scan needs `length` when it has no sequences");
    const scalar = errorOf(
      inLayer((b, c) => b.scan({ carries: [c], sequences: [b.constant(1)], body: (_b, [cc]) => ({ carries: [cc!] }) }).carries[0]!),
    );
    expect(scalar.message).toContain('sequence 0 is a scalar; sequences are sliced along axis 0; expected rank >= 1; found f32[]');
  });

  it('rejects params or state inside the body', () => {
    const e = errorOf(
      inLayer((b, c) =>
        b.scan({ length: 2, carries: [c], body: (bb, [cc]) => ({ carries: [cc!.mul(bb.param('w', [2], { kind: 'ones' }))] }) }).carries[0]!,
      ),
    );
    expect(e.where).toBe('layer1/scan');
    expect(e.message).toContain('the scan body declares params or state; pass them in as consts; expected no params and no state; found 1 params and 0 state');
  });
});

describe('tupleGet', () => {
  it('rejects an index out of range, naming the node', () => {
    const e = errorOf(inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(handBody([2], [2]))).get(1)));
    // The scan's tuple holds only the final carry.
    expect(e.code).toBe('attr');
    expect(e.where).toBe('layer1/tupleGet');
    expect(e.message).toContain('tupleGet index out of range for a tuple of 1; expected an integer in [0, 0]; found 1');
  });

  it('rejects a tensor input', () => {
    const e = errorOf(inLayer((b, c) => b.op('tupleGet', [c], { index: 0 })));
    expect(e.message).toContain("at 'layer1/tupleGet': tupleGet reads a tuple (the result of scan or customVjp); expected a tuple; found f32[2]");
  });

  it('reads an element of a low-level scan', () => {
    const graph = inLayer((b, c, x) => b.op('scan', [c, x], scanAttrs(handBody([2], [2]))).get(0))();
    // Each step adds sum(x_t) to both carry elements: c = [1, 2] + (3 + 7 + 11 + 15) = [37, 38]
    const r = run(graph, { c: [1, 2], x: [1, 2, 3, 4, 5, 6, 7, 8] });
    expectClose(r.y!.values, [37, 38]);
  });
});
