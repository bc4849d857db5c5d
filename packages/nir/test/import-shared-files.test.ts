// The three NIR files written by Sinabs and snnTorch, imported and run on the CPU interpreter:
// the activity shapes the NIR paper states, and that the networks are alive on plausible input.
import { evaluate, toArray, type Graph, type TensorType } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { importNir, readNir } from '../src/index.js';
import { readSharedNir } from './shared-files.js';
import { bernoulliSpikes } from './spike-input.js';

const outputShape = (graph: Graph, name: string) => {
  const out = graph.outputs.find((o) => o.name === name);
  if (out === undefined) throw new Error(`no output '${name}'`);
  return (graph.nodes[out.node]!.type as TensorType).shape;
};

describe('cnn_sinabs.nir', () => {
  it('the first IF layer’s activity for input (300, 10, 2, 34, 34) has shape (300, 10, 16, 16, 16) (shape inference)', async () => {
    const doc = await readNir(readSharedNir('cnn_sinabs.nir'), 'cnn_sinabs.nir');
    const model = importNir(doc, { dt: 1, steps: 300, batch: 10 });
    expect(outputShape(model.graph, '1')).toEqual([300, 10, 16, 16, 16]);
    expect(outputShape(model.graph, 'output')).toEqual([300, 10, 10]);
    expect([...model.neuronOutputs].sort()).toEqual(['1', '10', '12', '3', '6']);
  });

  it('runs 4 steps on the CPU: spikes are 0/1 and the first layer fires', async () => {
    const doc = await readNir(readSharedNir('cnn_sinabs.nir'), 'cnn_sinabs.nir');
    const [T, B] = [4, 1];
    const model = importNir(doc, { dt: 1, steps: T, batch: B });
    const x = bernoulliSpikes(T * B * 2 * 34 * 34, 0.3, 1);
    const { outputs } = evaluate(model.graph, { inputs: { input: x }, params: model.params });
    const first = toArray(outputs['1']!);
    expect(first.length).toBe(T * B * 16 * 16 * 16);
    expect(first.every((s) => s === 0 || s === 1)).toBe(true);
    expect(first.reduce((a, s) => a + s, 0)).toBeGreaterThan(0);
    expect(toArray(outputs.output!).length).toBe(T * B * 10);
  });
});

describe.each([
  ['braille_noDelay_bias_zero.nir', 38, 'to-reset-value'],
  ['braille_noDelay_noBias_subtract.nir', 40, 'subtract-threshold'],
] as const)('%s', (file, hidden, reset) => {
  it(`one sample of 256 steps gives lif1.lif an activity of shape (256, ${hidden}); the recurrent CubaLIF fires`, async () => {
    const doc = await readNir(readSharedNir(file), file);
    const model = importNir(doc, { dt: 1e-4, steps: 256, batch: 1, reset });
    expect(outputShape(model.graph, 'lif1.lif')).toEqual([256, 1, hidden]);
    expect(outputShape(model.graph, 'output')).toEqual([256, 1, 7]);
    const x = bernoulliSpikes(256 * 12, 0.2, 2);
    const { outputs } = evaluate(model.graph, { inputs: { input: x }, params: model.params });
    const spikes = toArray(outputs['lif1.lif']!);
    expect(spikes.every((s) => s === 0 || s === 1)).toBe(true);
    const rate = spikes.reduce((a, s) => a + s, 0) / spikes.length;
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(1);
  });
});
