// The SpikingJelly-convention model tests of @spikeflow/models (sequential LIF, recurrent LIF, PSN
// family, dropout), their model graphs run on the WebAssembly backend: the hand-worked SpikingJelly
// values exactly, other data against the CPU reference in float32. And what the WebGPU backend's
// spike-packing bit-identity maps to here: WASM stores spikes as float32, so nothing is packed, but
// a matmul of spikes skips their zeros, which must give the bits of the dense kernels.
import { grad, gradName } from '@spikeflow/autodiff';
import { toArray, trace, type Graph, type HostTensor } from '@spikeflow/core';
import {
  buildDropout,
  buildSequential,
  dropout,
  lif,
  linear,
  maskedPsn,
  maskedPsnLayer,
  psn,
  psnLayer,
  RANDOM_STEP_INPUT,
  recurrent,
  runRecurrent,
  sequential,
  slidingPsn,
  slidingPsnLayer,
  standardLayers,
  TRAINING_INPUT,
  type RecurrentSpec,
} from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { testData } from '../../../test/support/test-data.js';
import { REORDERED_SUM, wasmShare } from '../../../test/support/parity/wasm-tolerance.js';
import { compileWasmProgram, WasmExecutable, type Step } from '../src/index.js';
import { spawnNodeWorker } from '../src/node.js';
import { bits, reference } from './support/compare.js';

type Feeds = Readonly<Record<string, readonly number[] | number>>;

/** Runs `graph` on the WASM backend (2 threads) with inputs and params. */
async function onWasm(graph: Graph, inputs: Feeds, params: Feeds = {}, skipSpikeZeros = true): Promise<Record<string, HostTensor>> {
  const exe = await WasmExecutable.create(graph, { threads: 2, spawn: spawnNodeWorker, skipSpikeZeros });
  try {
    exe.setParams(params);
    return await exe.run(inputs);
  } finally {
    exe.destroy();
  }
}

/** Every output of the WASM run within REORDERED_SUM of the float32 CPU reference (spikes: equal). */
function expectNearReference(graph: Graph, got: Readonly<Record<string, HostTensor>>, inputs: Feeds, params: Feeds = {}): void {
  const cpu = reference(graph, inputs, params);
  for (const [name, expected] of Object.entries(cpu)) {
    const e = toArray(expected);
    const g = toArray(got[name]!);
    const worst = Math.max(0, ...e.map((v, k) => wasmShare(g[k]!, v, REORDERED_SUM)));
    expect(worst, `${name}: share of the tolerance (${REORDERED_SUM.why})`).toBeLessThanOrEqual(1);
  }
}

describe('SpikingJelly-convention models on the WebAssembly backend', () => {
  it('LIF layer: the SpikingJelly update worked by hand (hard and soft reset, V_th 1 and 0.5)', async () => {
    const run = async (vReset: number | null, vThreshold: number, x: number[]) => {
      const g = buildSequential(sequential([lif({ vReset, vThreshold })]), { input: { name: 'x', shape: [x.length, 1] }, library: standardLayers });
      return toArray((await onWasm(g, { x })).output!);
    };
    // The hand-worked values of the models' sequential test (tau = 2).
    expect(await run(0, 1, [1.5, 1.5, 0.4, 3.0])).toEqual([0, 1, 0, 1]);
    expect(await run(null, 1, [1.5, 1.5, 0.4, 3.0])).toEqual([0, 1, 0, 1]);
    expect(await run(null, 0.5, [2.2, 0.9, 0.9])).toEqual([1, 1, 1]);
    expect(await run(0, 0.5, [2.2, 0.9, 0.9])).toEqual([1, 0, 1]);
  });

  const recurrentGraph = (spec: RecurrentSpec, T: number, B: number, I: number) =>
    trace((b) => {
      const run = b.scope('rnn', () => runRecurrent(b, b.input('x', [T, B, I]), spec));
      return { s: run.output, ...Object.fromEntries(Object.entries(run.state).map(([k, v]) => [`state/${k}`, v])) };
    });

  it('recurrent LIF layer: the hand-worked spikes of step t-1 through W_rec, with and without autapses', async () => {
    const params = { 'rnn/input/w': [1, 0], 'rnn/rec/w': [5, 3, 0.5, 0] };
    const masked = await onWasm(recurrentGraph(recurrent(1, 2, lif({ tau: 2 })), 3, 1, 1), { x: [4, 0, 0] }, params);
    expect(toArray(masked.s!)).toEqual([1, 0, 0, 1, 0, 0]);
    expect(toArray(masked['state/v']!)).toEqual([0.25, 0]);
    const autapses = await onWasm(recurrentGraph(recurrent(1, 2, lif({ tau: 2 }), { selfConnections: true }), 3, 1, 1), { x: [4, 0, 0] }, params);
    expect(toArray(autapses.s!)).toEqual([1, 0, 1, 1, 1, 1]);
    expect(toArray(autapses['state/v']!)).toEqual([0, 0]);
  });

  it('recurrent LIF layer on random data with a bias: forward and BPTT gradients as the CPU reference', async () => {
    const [T, B, I, N] = [12, 2, 3, 5];
    const forward = recurrentGraph(recurrent(I, N, lif({ tau: 3 }), { bias: true }), T, B, I);
    const params = { 'rnn/input/w': testData(2, I * N, -0.4, 1.6), 'rnn/rec/w': testData(3, N * N, -1, 1), 'rnn/input/b': testData(4, N, -0.2, 0.2) };
    const x = testData(1, T * B * I);
    const got = await onWasm(forward, { x }, params);
    expect(toArray(got.s!).reduce((a, v) => a + v, 0)).toBeGreaterThan(10);
    expectNearReference(forward, got, { x }, params);
    // loss = Σ s·c: the gradient runs the spike surrogate and the scan VJP through W_rec.
    const lossGraph = trace((b) => {
      const run = b.scope('rnn', () => runRecurrent(b, b.input('x', [T, B, I]), recurrent(I, N, lif({ tau: 3 }), { bias: true })));
      return { loss: run.output.mul(b.input('c', [T, B, N])).sum() };
    });
    const gradient = grad(lossGraph, { of: 'loss', wrt: ['rnn/input/w', 'rnn/rec/w', 'rnn/input/b'] });
    const c = testData(5, T * B * N, -1, 1);
    expectNearReference(gradient, await onWasm(gradient, { x, c }, params), { x, c }, params);
  });

  it('linear → PSN → linear → masked PSN → sliding PSN: the spikes of the CPU reference', async () => {
    const [T, B, I, H, C] = [6, 2, 3, 4, 2];
    const library = { ...standardLayers, psn: psnLayer, maskedPsn: maskedPsnLayer, slidingPsn: slidingPsnLayer };
    const graph = buildSequential(sequential([linear(I, H), psn(T), linear(H, C), maskedPsn(T, 2), slidingPsn(2)]), { input: { name: 'x', shape: [T, B, I] }, library });
    const params = {
      'linear0/w': testData(61, I * H, -1.5, 1.5),
      'psn1/w': testData(62, T * T, -0.6, 0.6),
      'psn1/b': testData(63, T, -0.5, 0.2),
      'linear2/w': testData(64, H * C, -1.5, 1.5),
      'maskedPsn3/w': testData(65, T * T, -0.6, 0.9),
      'maskedPsn3/b': testData(66, T, -0.6, 0.1),
      'slidingPsn4/w': [0.5, 1],
      'slidingPsn4/b': -0.5,
    };
    const inputs = { x: testData(67, T * B * I, 0, 1.5), 'maskedPsn3/lambda': 0.5 };
    const got = await onWasm(graph, inputs, params);
    const cpu = reference(graph, inputs, params);
    expect(toArray(got.output!)).toEqual(toArray(cpu.output!));
    expect(new Set(toArray(got.output!))).toEqual(new Set([0, 1]));
  });

  it('dropout (multi-step: one mask for all T steps): the masks of the CPU reference bit for bit', async () => {
    const [T, B, F] = [4, 8, 64];
    const graph = trace((b) => ({ y: b.scope('drop0', () => buildDropout(b, b.input('x', [T, B, F]), dropout(0.3))) }));
    const x = testData(1, T * B * F, 0.5, 1.5);
    for (const [training, step] of [[1, 0], [1, 11], [0, 11]] as const) {
      const inputs = { x, [TRAINING_INPUT]: training, [RANDOM_STEP_INPUT]: step };
      const got = await onWasm(graph, inputs);
      const cpu = reference(graph, inputs);
      expect(bits(got.y!)).toEqual(bits(cpu.y!));
      if (training === 1) expect(toArray(got.y!).some((v) => v === 0)).toBe(true);
      else expect(toArray(got.y!)).toEqual(toArray(cpu.y!));
    }
  });
});

describe('spike trains on the WebAssembly backend (no packing: float32 storage)', () => {
  it('a spiking MLP and its gradient: zero-skipping spike matmuls give the bits of the dense kernels', async () => {
    const [T, B, I, H, C] = [10, 4, 24, 32, 5];
    const forward = trace((b) => {
      const x = b.input('x', [T, B, I]);
      const w1 = b.input('w1', [I, H]);
      const w2 = b.input('w2', [H, C]);
      const { outputs } = b.scan({
        carries: [b.constant(0, [B, H])],
        sequences: [x.matmul(w1)],
        body: (_, [v], [it]) => {
          const h = v!.add(it!.sub(v!).div(2));
          const s = h.sub(1).spike();
          return { carries: [h.mul(s.stopGradient().neg().add(1))], outputs: [s] };
        },
      });
      return { loss: outputs[0]!.matmul(w2).mul(b.input('r', [T, B, C])).sum() };
    });
    const gradient = grad(forward, { of: 'loss', wrt: ['w1', 'w2'] });
    const inputs = { x: testData(1, T * B * I, 0, 1), w1: testData(2, I * H, -0.3, 0.6), w2: testData(3, H * C, -1, 1), r: testData(4, T * B * C, -1, 1) };
    const spikeKernels = (steps: readonly Step[]): string[] =>
      steps.flatMap((st) => (st.kind === 'kernel' ? [st.label] : st.kind === 'loop' ? spikeKernels(st.body) : [])).filter((l) => l.endsWith('/spikes'));
    // The forward S·W2 and the backward Sᵀ·dY both take the zero-skipping kernel, and only when asked.
    expect(spikeKernels(compileWasmProgram(gradient, { skipSpikeZeros: true }).steps).length).toBeGreaterThanOrEqual(2);
    expect(spikeKernels(compileWasmProgram(gradient, { skipSpikeZeros: false }).steps)).toEqual([]);
    const skipping = await onWasm(gradient, inputs, {}, true);
    const dense = await onWasm(gradient, inputs, {}, false);
    for (const name of Object.keys(dense)) expect(bits(skipping[name]!), name).toEqual(bits(dense[name]!));
    // Non-integer data, so the equality is not one of exact sums; and the spikes are sparse but not empty.
    expect(toArray(dense[gradName('w2')]!).some((v) => v !== Math.round(v))).toBe(true);
    expectNearReference(gradient, skipping, inputs);
  });
});
