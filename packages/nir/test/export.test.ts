// exportNir and exportSequential: an imported model exported and imported again is the same
// graph with bit-identical outputs; spikeflow's own models exported and imported run the same
// dynamics; layers without a NIR equivalent are refused by name.
import { evaluate, graphToJSON, initParams, leafName, toArray, type Graph } from '@spikeflow/core';
import { alif, buildSequential, conv2d, flattenSpec, integrateAndFire, leakyIntegrator, lif, linear, plif, psn, recurrent, sequential, standardLayers, sumPool2dSpec, type SequentialSpec } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { exportNir, exportSequential, importNir, readNir, writeNir, type NirModel } from '../src/index.js';
import { arr, graph, doc, run } from './nir-doc.js';
import { readSharedNir } from './shared-files.js';
import { bernoulliSpikes } from './spike-input.js';

function roundTrip(model: NirModel): NirModel {
  // The same options: each neuron's reset rule, as the model resolved it.
  return importNir(exportNir(model), { ...model.options, reset: new Map(model.neuronOutputs.map((n) => [n, model.options.resetOf(n)])) });
}

describe('exportNir of an imported model', () => {
  it.each([
    ['braille_noDelay_noBias_subtract.nir', 'subtract-threshold'],
    ['braille_noDelay_bias_zero.nir', 'to-reset-value'],
  ] as const)('%s: import → export → import gives the same graph JSON and bit-identical outputs', async (file, reset) => {
    const model = importNir(await readNir(readSharedNir(file), file), { dt: 1e-4, steps: 40, batch: 2, reset });
    const again = roundTrip(model);
    expect(graphToJSON(again.graph)).toBe(graphToJSON(model.graph));
    const x = bernoulliSpikes(40 * 2 * 12, 0.3, 3);
    const a = run(model, { input: x });
    const b = run(again, { input: x });
    expect(b).toEqual(a);
    expect(a['lif1.lif']!.some((s) => s === 1)).toBe(true);
  });

  it('through bytes: export → writeNir → readNir → import gives the same graph and bit-identical outputs', async () => {
    const file = 'braille_noDelay_noBias_subtract.nir';
    const model = importNir(await readNir(readSharedNir(file), file), { dt: 1e-4, steps: 30, batch: 1, reset: 'subtract-threshold' });
    const bytes = await writeNir(exportNir(model));
    const again = importNir(await readNir(bytes, 'exported.nir'), { dt: 1e-4, steps: 30, batch: 1, reset: 'subtract-threshold' });
    expect(graphToJSON(again.graph)).toBe(graphToJSON(model.graph));
    const x = bernoulliSpikes(30 * 12, 0.3, 4);
    expect(run(again, { input: x })).toEqual(run(model, { input: x }));
  });

  it('a spikeflow export survives writeNir and readNir', async () => {
    const spec = sequential([linear(3, 5, { bias: true }), recurrent(5, 4, lif({ tau: 2 }))]);
    const model = buildSequential(spec, { input: { name: 'x', shape: [5, 1, 3] }, library: standardLayers });
    const params = initParams(model, { seed: 1 });
    const values = Object.fromEntries(model.params.map((id) => [leafName(model.nodes[id]!), toArray(params[leafName(model.nodes[id]!)]!)]));
    const { document, importOptions } = exportSequential(spec, values, { dt: 1e-3, inputShape: [3] });
    const direct = importNir(document, { ...importOptions, steps: 5, batch: 1 });
    const viaBytes = importNir(await readNir(await writeNir(document), 'spikeflow.nir'), { ...importOptions, steps: 5, batch: 1 });
    expect(graphToJSON(viaBytes.graph)).toBe(graphToJSON(direct.graph));
  });

  it('a nested graph is rebuilt, and trained param values replace the file’s', async () => {
    const sub = graph(
      { in: { type: 'Input', shape: [2] }, w: { type: 'Linear', weight: arr([2, 2], [1, 0, 0, 1]) }, li: { type: 'LI', tau: arr([2], [2, 4]), r: arr([2], [1, 1]), v_leak: arr([2], [0, 0]) }, out: { type: 'Output', shape: [2] } },
      [['in', 'w'], ['w', 'li'], ['li', 'out']],
    );
    const d = doc({ input: { type: 'Input', shape: [2] }, blk: sub, output: { type: 'Output', shape: [2] } }, [['input', 'blk'], ['blk', 'output']]);
    const model = importNir(d, { dt: 1, steps: 2, batch: 1 });
    const exported = exportNir(model, { 'blk.w/weight': [2, 0, 0, 3] });
    expect(exported.graph.nodes.get('blk')?.type).toBe('NIRGraph');
    const again = importNir(exported, { dt: 1, steps: 2, batch: 1 });
    expect(graphToJSON(again.graph)).toBe(graphToJSON(model.graph));
    const viaBytes = importNir(await readNir(await writeNir(exported), 'nested.nir'), { dt: 1, steps: 2, batch: 1 });
    expect(graphToJSON(viaBytes.graph)).toBe(graphToJSON(model.graph));
    // v = x·w·k: [2·0.5, 3·0.25] at step 1.
    expect(run(again, { input: [1, 1, 0, 0] }).output!.slice(0, 2)).toEqual([1, 0.75]);
  });
});

/** Runs a sequential model and its NIR export on the same input; returns both outputs. */
function throughNir(spec: SequentialSpec, inputShape: readonly number[], T: number, B: number, seed: number) {
  const model = buildSequential(spec, { input: { name: 'x', shape: [T, B, ...inputShape] }, library: standardLayers });
  const params = initParams(model, { seed });
  const size = T * B * inputShape.reduce((a, d) => a * d, 1);
  const x = bernoulliSpikes(size, 0.4, seed + 1);
  const ours = toArray(evaluate(model, { inputs: { x }, params }).outputs.output!);
  const byName = Object.fromEntries(model.params.map((id) => [leafName(model.nodes[id]!), toArray(params[leafName(model.nodes[id]!)]!)]));
  const { document, importOptions } = exportSequential(spec, byName as Record<string, ArrayLike<number>>, { dt: 1e-3, inputShape });
  const imported = importNir(document, { ...importOptions, steps: T, batch: B });
  const theirs = run(imported, { input: x }).output!;
  return { ours, theirs, model: model as Graph };
}

describe('exportSequential: spikeflow models to NIR and back', () => {
  it('a recurrent LIF network (hard reset, τ = 2) with a PLIF layer and an IF readout: identical spikes', () => {
    const spec = sequential([
      linear(6, 16, { bias: true, initScale: 3 }),
      recurrent(16, 12, lif({ tau: 2 }), { bias: true, initScale: 3 }),
      recurrent(12, 10, plif({ initTau: 3, vReset: null }), { initScale: 4, selfConnections: true }),
      linear(10, 4, { initScale: 4 }),
      integrateAndFire({ vReset: null }),
    ]);
    const { ours, theirs } = throughNir(spec, [6], 12, 3, 5);
    expect(ours.some((s) => s === 1)).toBe(true);
    expect(theirs).toEqual(ours);
  });

  it('a conv SNN (conv2d, IF, sum pooling, flatten, linear, soft-reset LIF): identical spikes', () => {
    const spec = sequential([
      conv2d(2, 4, 3, { padding: 1, initScale: 3 }),
      integrateAndFire(),
      sumPool2dSpec(2),
      flattenSpec(),
      linear(4 * 3 * 3, 5, { initScale: 3 }),
      lif({ tau: 2, vReset: null }),
    ]);
    const { ours, theirs } = throughNir(spec, [2, 6, 6], 6, 2, 7);
    expect(ours.some((s) => s === 1)).toBe(true);
    expect(theirs).toEqual(ours);
  });

  it.each([3, 20])('a recurrent LIF with τ = %d steps (not a power of two): identical spikes', (tau) => {
    const spec = sequential([
      linear(5, 10, { bias: true, initScale: tau }),
      recurrent(10, 8, lif({ tau }), { initScale: tau }),
      linear(8, 3, { initScale: 2 * tau }),
      lif({ tau, vReset: null }),
    ]);
    const { ours, theirs } = throughNir(spec, [5], 40, 2, 11);
    expect(ours.some((s) => s === 1)).toBe(true);
    expect(theirs).toEqual(ours);
  });

  it('an exported LIF (τ = 20) re-imports with spikeflow\'s f32 arithmetic: potentials equal a hand f32 recurrence bit for bit', () => {
    // spikeflow's LIF: h = v + (x − (v − 0))/τ in f32, a spike where h ≥ 1, then v = 0.
    const T = 60;
    const x = Array.from({ length: T }, (_, t) => Math.fround(0.3 + 1.7 * Math.abs(Math.sin(1.3 * t + 0.2))));
    const expected: number[] = [];
    let v = 0;
    for (const xt of x) {
      const h = Math.fround(v + Math.fround(Math.fround(xt - v) / 20));
      v = h >= 1 ? 0 : h;
      expected.push(v);
    }
    const { document, importOptions } = exportSequential(sequential([lif({ tau: 20 })]), {}, { dt: 1e-3, inputShape: [1] });
    const name = [...importOptions.leak.keys()][0]!;
    const imported = run(importNir(document, { ...importOptions, steps: T, batch: 1, potentials: true }), { input: x });
    expect(imported[`${name}/v`]!.map((p) => p + 0)).toEqual(expected);
    // The default arithmetic (× dt/τ) is the same update rounded differently: it does not give these bits.
    const byRate = run(importNir(document, { ...importOptions, leak: 'rate', steps: T, batch: 1, potentials: true }), { input: x });
    expect(byRate[`${name}/v`]!.map((p) => p + 0)).not.toEqual(expected);
  });

  it('a leaky readout (li, τ = dt/(1 − α) with the decay arithmetic): bit-identical potentials', () => {
    const spec = sequential([linear(3, 4, { initScale: 2 }), leakyIntegrator({ dt: 1, tau: 5 })]);
    const { ours, theirs } = throughNir(spec, [3], 8, 2, 9);
    expect(ours.some((v) => v !== 0)).toBe(true);
    expect(theirs).toEqual(ours);
  });

  it('refuses PSN and ALIF, naming the layer and why', () => {
    expect(() => exportSequential(sequential([linear(2, 3), psn(4)]), {}, { dt: 1, inputShape: [2] })).toThrow(/layers\[1\] \(psn\).*learned temporal kernel/);
    expect(() => exportSequential(sequential([linear(2, 3), recurrent(3, 3, alif())]), {}, { dt: 1, inputShape: [2] })).toThrow(/layers\[1\] \(recurrent\)\.neuron.*adaptation variable/);
    expect(() => exportSequential(sequential([alif()]), {}, { dt: 1, inputShape: [2] })).toThrow(/layers\[0\] \(alif\).*adaptation/);
  });
});
