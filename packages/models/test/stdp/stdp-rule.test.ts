import { evaluate, GraphBuilder, tensor, toArray, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { initialStdpTraces, normalizeInputWeights, readStdpTraceCarries, stdpRule, stdpStep, stdpTraceCarries, type StdpRule } from '../../src/stdp/index.js';

// One presynaptic and one postsynaptic neuron, four steps: pre fires at t = 0 and 3, post at 1 and 2.
// Decays chosen to halve (τ_pre = τ_post = 1/ln 2) and quarter (τ_post2 = 1/ln 4) per step of 1 ms,
// η_pre = 0.1, η_post = 0.5, w₀ = 0.5; the expected values below are worked by hand.
const PRE = [1, 0, 0, 1];
const POST = [0, 1, 1, 0];
const BASE = { dt: 1, tauPre: 1 / Math.LN2, tauPost: 1 / Math.LN2, etaPre: 0.1, etaPost: 0.5, wMax: 1 } as const;

/** Runs the rule over the two spike trains in one scan; returns w after each step and the final traces. */
function runPair(rule: StdpRule, w0: number): { w: number[]; traces: number[] } {
  const b = new GraphBuilder();
  const pre = b.input('pre', [PRE.length, 1, 1]);
  const post = b.input('post', [POST.length, 1, 1]);
  const { carries, outputs } = b.scan({
    carries: [b.constant(w0, [1, 1]), ...stdpTraceCarries(initialStdpTraces(b, rule, 1, 1, 1))],
    sequences: [pre, post],
    body: (bb, [w, ...traceCarries], [s, z]) => {
      const next = stdpStep(bb, rule, w!, readStdpTraceCarries(rule, traceCarries).traces, s!, z!);
      return { carries: [next.w, ...stdpTraceCarries(next.traces)], outputs: [next.w] };
    },
  });
  const graph = b.finish({ w: outputs[0]!, ...Object.fromEntries(carries.slice(1).map((c, i) => [`trace${i}`, c])) });
  const r = evaluate(graph, { inputs: { pre: tensor([4, 1, 1], PRE), post: tensor([4, 1, 1], POST) } }, { precision: 'f64' });
  const traces = Object.keys(r.outputs).filter((k) => k.startsWith('trace')).sort().map((k) => r.outputs[k]!.data[0]!);
  return { w: Array.from(r.outputs.w!.data), traces };
}

const closeTo = (found: number[], expected: number[]) => found.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));

describe('STDP, hand-worked traces on one synapse', () => {
  it('pair-based, additive: +η_post·x_pre at each post spike, −η_pre·x_post at each pre spike', () => {
    // t1: x_pre 0.5 → +0.25; t2: x_pre 0.25 → +0.125; t3: x_post 1·0.5 → −0.05.
    const run = runPair(stdpRule({ ...BASE, tauPost2: null }), 0.5);
    closeTo(run.w, [0.5, 0.75, 0.875, 0.825]);
    closeTo(run.traces, [1, 0.5]); // x_pre set to 1 at t3; x_post 1 at t2, halved at t3
  });

  it('triplet: potentiation is scaled by the slow post trace read before the spike', () => {
    // t1: x_post2 before the spike is 0 → no change; t2: x_pre 0.25 · 0.5 · x_post2 0.25 = +0.03125; t3: −0.05.
    const run = runPair(stdpRule({ ...BASE, tauPost2: 1 / Math.log(4) }), 0.5);
    closeTo(run.w, [0.5, 0.5, 0.53125, 0.48125]);
    closeTo(run.traces, [1, 0.5, 0.25]);
  });

  it('multiplicative (μ = 1): Δ⁺·(w_max − w), Δ⁻·w', () => {
    // t1: 0.25·(1 − 0.5) → 0.625; t2: 0.125·(1 − 0.625) → 0.671875; t3: −0.05·0.671875 → 0.63828125.
    const run = runPair(stdpRule({ ...BASE, tauPost2: null, form: 'multiplicative', mu: 1 }), 0.5);
    closeTo(run.w, [0.5, 0.625, 0.671875, 0.63828125]);
  });

  it('multiplicative (μ = 2) squares the distance to the bound', () => {
    // t1: 0.25·0.5² → 0.5625; t2: 0.125·0.4375² → 0.586425781; t3: −0.05·w² .
    const w2 = 0.5625 + 0.125 * 0.4375 ** 2;
    const run = runPair(stdpRule({ ...BASE, tauPost2: null, form: 'multiplicative', mu: 2 }), 0.5);
    closeTo(run.w, [0.5, 0.5625, w2, w2 - 0.05 * w2 ** 2]);
  });

  it("'add' traces accumulate: x_post reaches 1.5 after two post spikes", () => {
    // t3: x_post 1.5·0.5 = 0.75 → −0.075.
    const run = runPair(stdpRule({ ...BASE, tauPost2: null, traceUpdate: 'add' }), 0.5);
    closeTo(run.w, [0.5, 0.75, 0.875, 0.8]);
    closeTo(run.traces, [1.125, 0.75]);
  });

  it('additive updates are clipped to [0, w_max]', () => {
    closeTo(runPair(stdpRule({ ...BASE, tauPost2: null }), 0.9).w, [0.9, 1, 1, 0.95]);
    // η_pre = 2: t3 takes 2·0.5 = 1 from 0.675, below 0.
    closeTo(runPair(stdpRule({ ...BASE, tauPost2: null, etaPre: 2 }), 0.3).w, [0.3, 0.55, 0.675, 0]);
  });

  it('rejects an unknown or invalid field by name', () => {
    expect(() => stdpRule({ tauPre: -1 })).toThrow(/stdp\.tauPre/);
    expect(() => stdpRule({ taupre: 1 } as never)).toThrow(/stdp\.taupre/);
  });
});

describe('per-neuron weight normalisation', () => {
  it('scales each neuron’s input weights to sum to the total, leaving a zero column at zero', () => {
    const b = new GraphBuilder();
    const w = b.input('w', [3, 3]);
    const graph = b.finish({ w: normalizeInputWeights(w, 6) });
    const found: HostTensor = evaluate(graph, { inputs: { w: tensor([3, 3], [1, 0, 2, 1, 0, 2, 2, 0, 2]) } }).outputs.w!;
    expect(toArray(found)).toEqual([1.5, 0, 2, 1.5, 0, 2, 3, 0, 2]);
  });
});
