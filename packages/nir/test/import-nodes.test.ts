// Each NIR node type imported and run on the CPU interpreter against values worked by hand
// (forward Euler, docs/nir.md).
import { SpikeflowError } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { arr, doc, graph, runDoc, single } from './nir-doc.js';

const close = (got: readonly number[], want: readonly number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g, `element ${i}`).toBeCloseTo(want[i]!, 6));
};

describe('stateless nodes', () => {
  it('Affine: W x + b with W [out, in]', () => {
    const d = single({ type: 'Affine', weight: arr([2, 2], [1, 2, 3, 4]), bias: arr([2], [0.5, -1]) }, [2], [2]);
    close(runDoc(d, [1, 1], { steps: 1 }).output!, [3.5, 6]);
  });
  it('Linear: W x', () => {
    const d = single({ type: 'Linear', weight: arr([2, 2], [1, 2, 3, 4]) }, [2], [2]);
    close(runDoc(d, [1, 1, 2, 0], { steps: 2 }).output!, [3, 7, 2, 6]);
  });
  it('Scale: s ⊙ x', () => {
    close(runDoc(single({ type: 'Scale', scale: arr([2], [2, -1]) }, [2], [2]), [3, 4], { steps: 1 }).output!, [6, -4]);
  });
  it('Threshold: 1 where x > θ (strict), or x ≥ θ with firing at-or-above', () => {
    const d = single({ type: 'Threshold', threshold: arr([3], [1, 1, 0.5]) }, [3], [3]);
    close(runDoc(d, [1, 1.5, 0.4], { steps: 1 }).output!, [0, 1, 0]);
    close(runDoc(d, [1, 1.5, 0.4], { steps: 1, firing: 'at-or-above' }).output!, [1, 1, 0]);
  });
  it('Flatten: merges per-sample axes start_dim..end_dim in row-major order', () => {
    const d = single({ type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [2, 2, 1] }, [2, 2, 1], [4]);
    close(runDoc(d, [1, 2, 3, 4], { steps: 1 }).output!, [1, 2, 3, 4]);
    const partial = doc(
      { input: { type: 'Input', shape: [2, 2, 1] }, f: { type: 'Flatten', start_dim: 1, end_dim: 2, input_type: [2, 2, 1] }, s: { type: 'Scale', scale: arr([2, 2], [1, 10, 100, 1000]) }, output: { type: 'Output', shape: [2, 2] } },
      [['input', 'f'], ['f', 's'], ['s', 'output']],
    );
    close(runDoc(partial, [1, 2, 3, 4], { steps: 1 }).output!, [1, 20, 300, 4000]);
  });
  it('Conv1d: cross-correlation with bias, stride and padding', () => {
    const conv = { type: 'Conv1d', weight: arr([1, 1, 2], [1, -1]), bias: arr([1], [0.5]), stride: 1, padding: 0, dilation: 1, groups: 1, input_shape: 3 } as const;
    close(runDoc(single(conv, [1, 3], [1, 2]), [1, 2, 4], { steps: 1 }).output!, [-0.5, -1.5]);
    // padding 1, stride 2 over [0 | 1 2 4 | 0]: windows (0,1), (2,4) -> 0·1 + 1·(-1), 2 - 4.
    const strided = { ...conv, bias: undefined, padding: 1, stride: 2 };
    close(runDoc(single(strided, [1, 3], [1, 2]), [1, 2, 4], { steps: 1 }).output!, [-1, -2]);
  });
  it('Conv2d: a 2x2 kernel over a 3x3 image', () => {
    const conv = { type: 'Conv2d', weight: arr([1, 1, 2, 2], [1, 2, 3, 4]), bias: undefined, stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, input_shape: [3, 3] } as const;
    close(runDoc(single(conv, [1, 3, 3], [1, 2, 2]), [1, 2, 3, 4, 5, 6, 7, 8, 9], { steps: 1 }).output!, [37, 47, 67, 77]);
  });
  it('SumPool2d and AvgPool2d: 2x2 windows, stride 2', () => {
    const x = Array.from({ length: 16 }, (_, i) => i + 1);
    const pool = { kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] };
    close(runDoc(single({ type: 'SumPool2d', ...pool }, [1, 4, 4], [1, 2, 2]), x, { steps: 1 }).output!, [14, 22, 46, 54]);
    close(runDoc(single({ type: 'AvgPool2d', ...pool }, [1, 4, 4], [1, 2, 2]), x, { steps: 1 }).output!, [3.5, 5.5, 11.5, 13.5]);
  });
  it('Delay: whole steps of dt, zero before the input starts; per-element delays', () => {
    const d = single({ type: 'Delay', delay: arr([1], [0.2]) }, [1], [1]);
    close(runDoc(d, [1, 2, 3, 4], { steps: 4, dt: 0.1 }).output!, [0, 0, 1, 2]);
    const per = single({ type: 'Delay', delay: arr([2], [1, 2]) }, [2], [2]);
    close(runDoc(per, [1, 10, 2, 20, 3, 30], { steps: 3 }).output!, [0, 0, 1, 0, 2, 10]);
  });
  it('Delay: a delay that is not a whole number of steps is refused, naming the node', () => {
    const d = single({ type: 'Delay', delay: arr([1], [0.25]) }, [1], [1]);
    expect(() => runDoc(d, [1, 2], { steps: 2, dt: 0.1 })).toThrow(/node\.delay.*whole number of steps of dt = 0\.1/);
  });
});

describe('neurons (forward Euler)', () => {
  const lif = (vReset: number) => ({ type: 'LIF', tau: arr([1], [2]), r: arr([1], [1]), v_leak: arr([1], [0]), v_threshold: arr([1], [1]), v_reset: arr([1], [vReset]) }) as const;
  it('LIF: h = v + (R x − (v − v_leak))·dt/τ; spike where h > θ; reset to v_reset or by subtraction', () => {
    // k = 0.5, x = 1.6: h = 0.8, 1.2 (spike), then from 0: 0.8, 1.2 (spike).
    close(runDoc(single(lif(0), [1], [1]), [1.6, 1.6, 1.6, 1.6], { steps: 4 }).output!, [0, 1, 0, 1]);
    // From v_reset = 0.5 after each spike: 0.8, 1.2, 1.05, 1.05 -> spikes at 2, 3, 4.
    close(runDoc(single(lif(0.5), [1], [1]), [1.6, 1.6, 1.6, 1.6], { steps: 4 }).output!, [0, 1, 1, 1]);
    // Subtracting θ: 0.8, 1.2 -> 0.2, 0.9, 1.25 -> 0.25.
    close(runDoc(single(lif(0), [1], [1]), [1.6, 1.6, 1.6, 1.6], { steps: 4, reset: 'subtract-threshold' }).output!, [0, 1, 0, 1]);
    // Leaking towards v_leak = 1 from rest (v = v_leak) with r = 2, x = 0.25: h = 1 + 0.5·0.5 = 1.25 > 1.2.
    const leaky = { ...lif(0), v_leak: arr([1], [1]), r: arr([1], [2]), v_threshold: arr([1], [1.2]) };
    close(runDoc(single(leaky, [1], [1]), [0.25], { steps: 1 }).output!, [1]);
  });
  it('LIF: strict threshold: h exactly θ does not fire unless firing is at-or-above', () => {
    // x = 2, k = 0.5: h = 1 = θ.
    close(runDoc(single(lif(0), [1], [1]), [2], { steps: 1 }).output!, [0]);
    close(runDoc(single(lif(0), [1], [1]), [2], { steps: 1, firing: 'at-or-above' }).output!, [1]);
  });
  it('LIF: per-neuron parameters and a reset mode per node', () => {
    const two = { type: 'LIF', tau: arr([2], [2, 4]), r: arr([2], [1, 1]), v_leak: arr([2], [0, 0]), v_threshold: arr([2], [1, 0.3]), v_reset: arr([2], [0, 0]) } as const;
    // k = [0.5, 0.25], x = 1.6: h1 = [0.8, 0.4 (spike)], h2 = [1.2 (spike), 0 + 0.4 or 0.1 + 0.375].
    close(runDoc(single(two, [2], [2]), [1.6, 1.6, 1.6, 1.6], { steps: 2 }).output!, [0, 1, 1, 1]);
    const subtract = runDoc(single(two, [2], [2]), [1.6, 1.6, 1.6, 1.6], { steps: 2, reset: new Map([['node', 'subtract-threshold']]) });
    close(subtract.output!, [0, 1, 1, 1]);
  });
  it("LIF with leak 'decay' and reset 'subtract-threshold-next-step': the LSNN's v = α·v + (1 − α)·x − θ·z_prev", () => {
    // k = 1 − α = 0.5, x = 1.5, θ = 1 (≥): v = 0.75, 1.125 (spike), 0.5625 + 0.75 − 1 = 0.3125, 0.90625,
    // 1.203125 (spike), 0.6015625 + 0.75 − 1 = 0.3515625; every value exact in binary.
    const options = { steps: 6, firing: 'at-or-above', leak: 'decay', reset: 'subtract-threshold-next-step', potentials: true } as const;
    const out = runDoc(single(lif(0), [1], [1]), Array<number>(6).fill(1.5), options);
    expect(out.output).toEqual([0, 1, 0, 0, 1, 0]);
    expect(out['node/v']).toEqual([0.75, 1.125, 0.3125, 0.90625, 1.203125, 0.3515625]);
    // Subtracting in the step of the spike instead: 1.125 → 0.125, then 0.8125, 1.15625 (spike): other spikes.
    expect(runDoc(single(lif(0), [1], [1]), Array<number>(6).fill(1.5), { ...options, reset: 'subtract-threshold' }).output).toEqual([0, 1, 0, 1, 0, 1]);
  });
  it("reset 'subtract-threshold-next-step' refuses a neuron that starts at or above its threshold, naming v_leak", () => {
    const high = { ...lif(0), v_leak: arr([1], [1]) };
    expect(() => runDoc(single(high, [1], [1]), [0], { steps: 1, firing: 'at-or-above', reset: 'subtract-threshold-next-step' })).toThrow(/node\.v_leak.*start \(at v_leak\) below its threshold/);
  });
  it('IF: h = v + dt·R·x', () => {
    const d = single({ type: 'IF', r: arr([1], [2]), v_threshold: arr([1], [1]), v_reset: arr([1], [0]) }, [1], [1]);
    close(runDoc(d, [0.6, 0.6, 0.6], { steps: 3, dt: 0.5 }).output!, [0, 1, 0]);
  });
  it('I: v = v + dt·R·x, outputs v', () => {
    close(runDoc(single({ type: 'I', r: arr([1], [3]) }, [1], [1]), [1, 2], { steps: 2, dt: 0.5 }).output!, [1.5, 4.5]);
  });
  it('LI: v = v + (R x − (v − v_leak))·dt/τ from v = v_leak', () => {
    const d = single({ type: 'LI', tau: arr([1], [4]), r: arr([1], [2]), v_leak: arr([1], [1]) }, [1], [1]);
    close(runDoc(d, [1, 1], { steps: 2 }).output!, [1.5, 1.875]);
  });
  const cuba = { tau_syn: arr([1], [2]), tau_mem: arr([1], [4]), r: arr([1], [1]), v_leak: arr([1], [0]), w_in: arr([1], [2]) };
  it('CubaLI: the current updates first, v uses the previous step’s current (NIR reference)', () => {
    close(runDoc(single({ type: 'CubaLI', ...cuba }, [1], [1]), [1, 1, 1], { steps: 3 }).output!, [0, 0.25, 0.5625]);
  });
  it('CubaLIF: spikes on v and resets it', () => {
    const d = single({ type: 'CubaLIF', ...cuba, v_threshold: arr([1], [0.3]), v_reset: arr([1], [0]) }, [1], [1]);
    const out = runDoc(d, [1, 1, 1, 1], { steps: 4 });
    // v: 0, 0.25, 0.5625 (spike -> 0), then 0 + (1.75 - 0)·0.25 = 0.4375 (spike).
    close(out.output!, [0, 0, 1, 1]);
    close(out.node!, [0, 0, 1, 1]);
  });
});

describe('graphs', () => {
  it('an edge closing a cycle carries the previous step’s output', () => {
    const d = doc(
      { input: { type: 'Input', shape: [1] }, acc: { type: 'I', r: arr([1], [1]) }, rec: { type: 'Linear', weight: arr([1, 1], [0.5]) }, output: { type: 'Output', shape: [1] } },
      [['input', 'acc'], ['acc', 'rec'], ['rec', 'acc'], ['acc', 'output']],
    );
    // v1 = 1; v2 = 1 + 1 + 0.5·1 = 2.5; v3 = 2.5 + 1 + 1.25 = 4.75.
    close(runDoc(d, [1, 1, 1], { steps: 3 }).output!, [1, 2.5, 4.75]);
  });
  it('a nested NIRGraph: names are namespaced, an edge to the graph reaches its Input', () => {
    const sub = graph(
      { in: { type: 'Input', shape: [1] }, gain: { type: 'Scale', scale: arr([1], [3]) }, li: { type: 'LI', tau: arr([1], [1]), r: arr([1], [1]), v_leak: arr([1], [0]) }, out: { type: 'Output', shape: [1] } },
      [['in', 'gain'], ['gain', 'li'], ['li', 'out']],
    );
    const d = doc({ input: { type: 'Input', shape: [1] }, block: sub, output: { type: 'Output', shape: [1] } }, [['input', 'block'], ['block', 'output']]);
    const out = runDoc(d, [2], { steps: 1 });
    close(out.output!, [6]);
    close(out['block.li']!, [6]);
  });
  it('two edges into one node are summed', () => {
    const d = doc(
      { input: { type: 'Input', shape: [1] }, a: { type: 'Scale', scale: arr([1], [2]) }, b: { type: 'Scale', scale: arr([1], [5]) }, output: { type: 'Output', shape: [1] } },
      [['input', 'a'], ['input', 'b'], ['a', 'output'], ['b', 'output']],
    );
    close(runDoc(d, [1], { steps: 1 }).output!, [7]);
  });
  it('refusals name the node and the reason', () => {
    const orphan = doc({ input: { type: 'Input', shape: [1] }, s: { type: 'Scale', scale: arr([1], [1]) }, output: { type: 'Output', shape: [1] } }, [['s', 'output']]);
    expect(() => runDoc(orphan, [1], { steps: 1 })).toThrow(/'s' has no incoming edge/);
    const bad = single({ type: 'LIF', tau: arr([1], [0]), r: arr([1], [1]), v_leak: arr([1], [0]), v_threshold: arr([1], [1]), v_reset: undefined }, [1], [1]);
    expect(() => runDoc(bad, [1], { steps: 1 })).toThrow(/node\.tau.*positive/);
    const nan = single({ type: 'Scale', scale: arr([1], [NaN]) }, [1], [1]);
    expect(() => runDoc(nan, [1], { steps: 1 })).toThrow(SpikeflowError);
    const missing = doc({ input: { type: 'Input', shape: [1] } }, [['input', 'nowhere']]);
    expect(() => runDoc(missing, [1], { steps: 1 })).toThrow(/'nowhere'/);
    expect(() => runDoc(single({ type: 'Scale', scale: arr([1], [1]) }, [1], [1]), [1], { steps: 1, dt: -1 })).toThrow(/options\.dt/);
  });
});
