// An ANN converted to an integrate-and-fire SNN (models' conversion) exports to NIR as Affine + IF
// nodes and, imported again with the options the exporter returns, fires the same spikes.
import { evaluate, GraphBuilder, initParams, toArray, type HostTensor } from '@spikeflow/core';
import { annLayers, annMlp, applySequential, buildSequential, convertToSnn, standardLayers } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { exportSequential, importNir, readNir, writeNir } from '../src/index.js';
import { run } from './nir-doc.js';

describe('a converted SNN exported to NIR', () => {
  it('is Affine and IF nodes, and re-imports (through the file bytes) with the same output spikes at every step', async () => {
    const ann = annMlp([6, 12, 8, 4]);
    const annModel = buildSequential(ann, { input: { name: 'x', shape: [5, 6] }, library: annLayers });
    const annParams = initParams(annModel, { seed: 3 }) as Record<string, HostTensor>;
    const snn = convertToSnn(ann, annParams, [{ layer: 'linear0', scale: 0.8 }, { layer: 'linear2', scale: 1.3 }, { layer: 'linear4', scale: 2 }]);

    const [T, B] = [30, 5];
    const sample = Array.from({ length: B * 6 }, (_, i) => (Math.sin(1.7 * i) + 1) / 2);
    const x = Array.from({ length: T }, () => sample).flat();
    const b = new GraphBuilder();
    const out = applySequential(b, snn.spec, b.input('x', [T, B, 6]), standardLayers).at(-1)!.output;
    const ours = toArray(evaluate(b.finish({ output: out }), { inputs: { x }, params: snn.params }).outputs.output!);

    const params = Object.fromEntries(Object.entries(snn.params).map(([name, t]) => [name, toArray(t)]));
    const { document, importOptions } = exportSequential(snn.spec, params, { dt: 1e-3, inputShape: [6] });
    expect([...document.graph.nodes.values()].map((n) => n.type)).toEqual(['Input', 'Affine', 'IF', 'Affine', 'IF', 'Affine', 'IF', 'Output']);
    const imported = importNir(await readNir(await writeNir(document), 'converted.nir'), { ...importOptions, steps: T, batch: B });
    const theirs = run(imported, { input: x }).output!;
    expect(ours.some((s) => s === 1)).toBe(true);
    expect(theirs).toEqual(ours);
  });
});
