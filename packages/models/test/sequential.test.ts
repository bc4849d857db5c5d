import { evaluate, GraphBuilder, SpikeflowError, toArray, type Tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { buildSequential, lif, linear, sequential, standardLayers } from '../src/index.js';

const input = { name: 'x', shape: [3, 2, 4] };

describe('declarative specs', () => {
  it('give exactly the graph of the same model traced by hand', () => {
    const spec = sequential([linear(4, 3), lif({ tau: 2 }), linear(3, 2, { bias: true }), lif({ vReset: null })]);
    const declarative = buildSequential(spec, { input, library: standardLayers });

    // The same model written with the tracing front door, primitive by primitive.
    const b = new GraphBuilder();
    const lifByHand = (x: Tensor, soft: boolean) => {
      const v0 = b.constant(0, x.shape.slice(1));
      return b.scan({
        carries: [v0],
        sequences: [x],
        body: (_, [v], [xt]) => {
          const h = v!.add(xt!.sub(v!.sub(0)).div(2));
          const s = h.sub(1).spike({ kind: 'atan', alpha: 2 });
          const next = soft ? h.sub(s.mul(1)) : h.mul(s.neg().add(1));
          return { carries: [next], outputs: [s] };
        },
      }).outputs[0]!;
    };
    const k1 = 1 / Math.sqrt(4);
    const k2 = 1 / Math.sqrt(3);
    let x = b.input('x', [3, 2, 4]);
    x = b.scope('linear0', () => {
      const w = b.param('w', [4, 3], { kind: 'uniform', low: -k1, high: k1 });
      return x.reshape([-1, 4]).matmul(w).reshape([3, 2, 3]);
    });
    x = b.scope('lif1', () => lifByHand(x, false));
    x = b.scope('linear2', () => {
      const w = b.param('w', [3, 2], { kind: 'uniform', low: -k2, high: k2 });
      return x.reshape([-1, 3]).matmul(w).reshape([3, 2, 2]).add(b.param('b', [2], { kind: 'uniform', low: -k2, high: k2 }));
    });
    x = b.scope('lif3', () => lifByHand(x, true));
    const traced = b.finish({ output: x });

    expect(declarative).toEqual(traced);
  });

  it('round-trips through its JSON form with defaults filled in', () => {
    const text = JSON.stringify({ kind: 'sequential', layers: [{ kind: 'linear', in: 4, out: 3 }, { kind: 'lif' }] });
    const fromText = buildSequential(text, { input, library: standardLayers });
    const fromObjects = buildSequential(sequential([linear(4, 3), lif()]), { input, library: standardLayers });
    expect(fromText).toEqual(fromObjects);
  });

  it('rejects bad specs naming the field', () => {
    const bad = (layers: unknown[]) => () => buildSequential(JSON.stringify({ kind: 'sequential', layers }), { input, library: standardLayers });
    expect(bad([{ kind: 'linear', in: 4, out: 3 }, { kind: 'lif', tau: 0.5 }])).toThrow(/layers\[1\]\.tau/);
    expect(bad([{ kind: 'conv9d' }])).toThrow(/layers\[0\]\.kind.*unknown layer kind 'conv9d'/);
    expect(bad([{ kind: 'linear', in: 4 }])).toThrow(/layers\[0\]\.out/);
    const mismatch = bad([{ kind: 'linear', in: 5, out: 3 }]);
    expect(mismatch).toThrow(SpikeflowError);
    expect(mismatch).toThrow(/at 'linear0'.*expected \[\.\.\., 5\]; found \[3, 2, 4\]/);
  });
});

describe('LIF layer', () => {
  it('matches the SpikingJelly update worked by hand (hard and soft reset)', () => {
    // One neuron, tau = 2, V_th = 1, x = [1.5, 1.5, 0.4, 3.0].
    // Hard reset: H1 = 0 + (1.5 - 0)/2 = 0.75 -> S=0, V=0.75; H2 = 0.75 + (1.5-0.75)/2 = 1.125 -> S=1, V=0;
    //             H3 = 0 + 0.4/2 = 0.2 -> S=0, V=0.2; H4 = 0.2 + (3 - 0.2)/2 = 1.6 -> S=1.
    // Soft reset: same until t=2: V = 1.125 - 1 = 0.125; H3 = 0.125 + (0.4-0.125)/2 = 0.2625 -> S=0;
    //             H4 = 0.2625 + (3 - 0.2625)/2 = 1.63125 -> S=1.
    const run = (vReset: number | null) => {
      const g = buildSequential(sequential([lif({ vReset })]), { input: { name: 'x', shape: [4, 1] }, library: standardLayers });
      return toArray(evaluate(g, { inputs: { x: [1.5, 1.5, 0.4, 3.0] } }, { precision: 'f64' }).outputs.output!);
    };
    expect(run(0)).toEqual([0, 1, 0, 1]);
    expect(run(null)).toEqual([0, 1, 0, 1]);
    // The two resets part ways with V_th = 0.5 and x = [2.2, 0.9, 0.9].
    const g = buildSequential(sequential([lif({ vReset: null, vThreshold: 0.5 })]), { input: { name: 'x', shape: [3, 1] }, library: standardLayers });
    // Soft, V_th = 0.5: H1 = 1.1 -> S=1, V=0.6; H2 = 0.6 + (0.9-0.6)/2 = 0.75 -> S=1, V=0.25; H3 = 0.25 + 0.325 = 0.575 -> S=1.
    expect(toArray(evaluate(g, { inputs: { x: [2.2, 0.9, 0.9] } }, { precision: 'f64' }).outputs.output!)).toEqual([1, 1, 1]);
    const hard = buildSequential(sequential([lif({ vThreshold: 0.5 })]), { input: { name: 'x', shape: [3, 1] }, library: standardLayers });
    // Hard, V_th = 0.5: H1 = 1.1 -> S=1, V=0; H2 = 0.45 -> S=0, V=0.45; H3 = 0.45 + 0.225 = 0.675 -> S=1.
    expect(toArray(evaluate(hard, { inputs: { x: [2.2, 0.9, 0.9] } }, { precision: 'f64' }).outputs.output!)).toEqual([1, 0, 1]);
  });
});
