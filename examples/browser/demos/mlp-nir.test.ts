// The page's LIF MLP through a NIR file and a spec JSON: the NIR file, imported by @spikeflow/nir's own
// importer, computes the page's spikes exactly; read back by the page it gives the same weights;
// and a file or spec the page's MLP cannot take is refused naming the field.
import { describe, expect, it } from 'vitest';
import { evaluate, toArray, type HostTensor } from '@spikeflow/core';
import { parseSequential, standardLayers } from '@spikeflow/models';
import * as nir from '@spikeflow/nir';
import { HELD_OUT, LIF_MLP_DEFAULTS, lifMlp, lifMlpSpec } from './mnist-lif.js';
import { NIR_DT, readMlpNir, writeMlpNir, type MlpParams } from './mlp-nir.js';
import { mlpOfSpec } from './mlp-spec-match.js';
import type { DemoSettings } from './settings.js';

const shape = { steps: 6, inputs: 5, classes: 3 };
/** Deterministic values spread over [-scale, scale]. */
const values = (n: number, seed: number, scale: number): Float32Array => Float32Array.from({ length: n }, (_, k) => scale * Math.sin(seed * 12.9898 + k * 78.233));

function mlpParams(hidden: number): MlpParams {
  return { 'linear0/w': values(shape.inputs * hidden, 3, 3), 'linear2/w': values(hidden * shape.classes, 5, 3) };
}

const input = (): HostTensor => ({ type: { dtype: 'f32', shape: [shape.steps, HELD_OUT, shape.inputs] }, data: values(shape.steps * HELD_OUT * shape.inputs, 7, 1).map(Math.abs) });

describe('the page LIF MLP as a NIR file', () => {
  for (const neuron of ['lif', 'if'] as const) {
    it(`${neuron.toUpperCase()}: importNir of the written file computes the page probe's output spikes exactly, and the page reads back the same weights`, async () => {
      const settings: DemoSettings = { ...LIF_MLP_DEFAULTS, hidden: 7, neuron };
      const params = mlpParams(settings.hidden);
      const spec = lifMlpSpec(shape, settings);
      const bytes = await writeMlpNir(nir, spec, params);

      const page = evaluate(lifMlp(true, shape, settings), { inputs: { x: input() }, params }).outputs;
      const { importOptions } = nir.exportSequential(spec, params, { dt: NIR_DT, inputShape: [shape.inputs] });
      const model = nir.importNir(await nir.readNir(bytes, 'mlp.nir'), { ...importOptions, steps: shape.steps, batch: HELD_OUT });
      const imported = evaluate(model.graph, { inputs: { input: input() }, params: model.params }).outputs;
      const spikes = toArray(page.output_spikes!);
      expect(spikes.some((s) => s > 0), 'the output layer spikes').toBe(true);
      expect(spikes.some((s) => s === 0), 'and not always').toBe(true);
      expect(toArray(imported.output!)).toEqual(spikes);

      const read = await readMlpNir(nir, bytes, 'mlp.nir', { surrogate: 'sigmoid', alpha: 4 });
      expect(read.shape).toEqual({ inputs: shape.inputs, classes: shape.classes });
      expect(read.settings).toEqual({ hidden: 7, neuron, surrogate: 'sigmoid', alpha: 4 });
      expect(read.params).toEqual(params);
    });
  }

  it('refuses a file whose neuron the page cannot run, naming the node and field', async () => {
    const settings: DemoSettings = { ...LIF_MLP_DEFAULTS, hidden: 4 };
    const doc = (await nir.readNir(await writeMlpNir(nir, lifMlpSpec(shape, settings), mlpParams(4)), 'mlp.nir'));
    const lif1 = doc.graph.nodes.get('lif1')!;
    if (lif1.type !== 'LIF') throw new Error('lif1 is not a LIF node');
    const slower = { ...lif1, tau: { ...lif1.tau, data: lif1.tau.data.map(() => 5e-3) } } as typeof lif1;
    const tampered = { ...doc, graph: { ...doc.graph, nodes: new Map([...doc.graph.nodes].map(([k, v]) => [k, k === 'lif1' ? slower : v])) } };
    await expect(readMlpNir(nir, await nir.writeNir(tampered), 'slow.nir', LIF_MLP_DEFAULTS)).rejects.toThrow(/^slow\.nir: nodes\.lif1\.tau: the page's LIF MLP has 0\.002\d* at element 0, the file has 0\.005/);
    await expect(readMlpNir(nir, new Uint8Array([1, 2, 3]), 'junk.nir', LIF_MLP_DEFAULTS)).rejects.toThrow(/junk\.nir.*not an HDF5 file/);
  });
});

describe('a spec JSON as the page LIF MLP', () => {
  const parse = (layers: unknown[]) => parseSequential({ kind: 'sequential', layers }, standardLayers);
  const page = lifMlpSpec({ inputs: 784, classes: 10 }, { ...LIF_MLP_DEFAULTS, hidden: 16, surrogate: 'sigmoid', alpha: 4 });

  it('reads the sizes and the settings of its own spec', () => {
    expect(mlpOfSpec(parse(JSON.parse(JSON.stringify(page.layers))), 'm.json')).toEqual({ shape: { inputs: 784, classes: 10 }, settings: { hidden: 16, neuron: 'lif', surrogate: 'sigmoid', alpha: 4 } });
  });

  it('refuses another family, a field it does not have, or a width out of bounds, in one line naming the field', () => {
    const [l0, n, l2] = page.layers;
    expect(() => mlpOfSpec(parse([l0, n, l2]), 'm.json')).toThrow("m.json: layers: the page trains a LIF MLP (linear → lif (or if) → linear → the same neuron), the file has linear → lif → linear");
    expect(() => mlpOfSpec(parse([l0, { ...n, tau: 5 }, l2, n]), 'm.json')).toThrow("m.json: layers[1].tau: the page's LIF MLP has 2, the file has 5");
    expect(() => mlpOfSpec(parse([{ ...l0, bias: true }, n, l2, n]), 'm.json')).toThrow("m.json: layers[0].bias: the page's LIF MLP has false, the file has true");
    expect(() => mlpOfSpec(parse([{ ...l0, out: 600 }, n, { ...l2, in: 600 }, n]), 'm.json')).toThrow('m.json: hidden width: must be at most 512, got 600');
    expect(() => mlpOfSpec(parse([l0, n, { ...l2, in: 3 }, n]), 'm.json')).toThrow("m.json: layers[2].in: the page's LIF MLP has 16, the file has 3");
  });
});
