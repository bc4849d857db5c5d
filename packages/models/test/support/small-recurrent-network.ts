// A small recurrent network with a readout, shared by the exact-gradient checks on the CPU and on
// WebGPU: x [T, B, I] -> recurrent layer of N neurons (input, recurrent and bias weights) -> linear
// readout [T, B, C] -> softmax cross-entropy of the readout's mean over time against labels [B].
import { leafName, tensor, trace, type Graph, type HostTensor } from '@spikeflow/core';
import { buildLinear, linear, recurrent, runRecurrent, softmaxCrossEntropy, type NeuronLayerSpec } from '../../src/index.js';
import { testData } from '../../../../test/support/test-data.js';

export const SMALL = { T: 30, B: 2, I: 3, N: 4, C: 2 } as const;

/** Outputs: `loss`, `out` (the neurons' outputs [T, B, N]) and `logits` [B, C]. */
export function smallRecurrentNetwork(neuron: NeuronLayerSpec, initScale: number): Graph {
  const { T, B, I, N, C } = SMALL;
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const labels = b.input('labels', [B], 'i32');
    const out = b.scope('hidden', () => runRecurrent(b, x, recurrent(I, N, neuron, { bias: true, initScale, recurrentScale: 2 })).output);
    const logits = b.scope('readout', () => buildLinear(b, out, linear(N, C, { initScale: 4 }))).mean(0);
    return { loss: softmaxCrossEntropy(logits, labels), out, logits };
  });
}

/** Non-negative input currents in [0, 1) and labels 0, 1, in float64. */
export function smallFeeds(): Record<string, HostTensor> {
  const { T, B, I } = SMALL;
  return { x: tensor([T, B, I], testData(5, T * B * I), 'f32', 'f64'), labels: tensor([B], [0, 1], 'i32') };
}

/** The graph's param names: hidden/input/w, hidden/input/b, hidden/rec/w, readout/w, readout/b. */
export const paramNamesOf = (g: Graph): string[] => g.params.map((id) => leafName(g.nodes[id]!));
