// Every NIR node type spikeflow imports also exports: a one-node graph imported, exported and
// imported again gives the same spikeflow graph, the same node fields and the same outputs.
import { graphToJSON } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { exportNir, importNir, readNir, writeNir, type NirNode } from '../src/index.js';
import { arr, run, single } from './nir-doc.js';

const v2 = (a: number, b: number) => arr([2], [a, b]);
const neuron = { r: v2(1.5, 2), v_leak: v2(0, 0.1), v_threshold: v2(0.4, 0.6), v_reset: v2(0, -0.1) };

/** [name, node, input shape, output shape]: shapes per sample. */
const CASES: readonly (readonly [string, NirNode, readonly number[], readonly number[]])[] = [
  ['Affine', { type: 'Affine', weight: arr([3, 2], [1, -2, 0.5, 3, -1, 2]), bias: arr([3], [0.1, 0, -0.2]) }, [2], [3]],
  ['Linear', { type: 'Linear', weight: arr([3, 2], [1, -2, 0.5, 3, -1, 2]) }, [2], [3]],
  ['Scale', { type: 'Scale', scale: v2(2, -0.5) }, [2], [2]],
  ['Threshold', { type: 'Threshold', threshold: v2(0.5, -0.25) }, [2], [2]],
  ['Flatten', { type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [2, 3] }, [2, 3], [6]],
  ['Conv1d', { type: 'Conv1d', weight: arr([2, 1, 3], [1, 0, -1, 0.5, 0.5, 0.5]), bias: arr([2], [0, 0.1]), stride: 1, padding: 1, dilation: 1, groups: 1, input_shape: 5 }, [1, 5], [2, 5]],
  ['Conv2d', { type: 'Conv2d', weight: arr([1, 1, 2, 2], [1, 2, 3, 4]), bias: undefined, stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, input_shape: [3, 3] }, [1, 3, 3], [1, 2, 2]],
  ['SumPool2d', { type: 'SumPool2d', kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] }, [1, 4, 4], [1, 2, 2]],
  ['AvgPool2d', { type: 'AvgPool2d', kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] }, [1, 4, 4], [1, 2, 2]],
  ['Delay', { type: 'Delay', delay: v2(0.5, 1) }, [2], [2]],
  ['I', { type: 'I', r: v2(1.5, 2) }, [2], [2]],
  ['IF', { type: 'IF', r: neuron.r, v_threshold: neuron.v_threshold, v_reset: neuron.v_reset }, [2], [2]],
  ['LI', { type: 'LI', tau: v2(2, 3), r: neuron.r, v_leak: neuron.v_leak }, [2], [2]],
  ['LIF', { type: 'LIF', tau: v2(2, 3), ...neuron }, [2], [2]],
  ['CubaLI', { type: 'CubaLI', tau_syn: v2(1.5, 2.5), tau_mem: v2(2, 3), r: neuron.r, v_leak: neuron.v_leak, w_in: v2(1, 0.5) }, [2], [2]],
  ['CubaLIF', { type: 'CubaLIF', tau_syn: v2(1.5, 2.5), tau_mem: v2(2, 3), ...neuron, w_in: v2(8, -6) }, [2], [2]],
];

const STEPS = 6;
const DT = 0.5;

describe('exportNir: every node type', () => {
  it.each(CASES)('%s: import → export → import gives the same graph and outputs, through bytes too', async (_name, node, inShape, outShape) => {
    const size = inShape.reduce((a, d) => a * d, 1);
    const x = Array.from({ length: STEPS * size }, (_, i) => Math.round(10 * Math.sin(0.7 * i + 0.3)) / 10);
    const options = { dt: DT, steps: STEPS, batch: 1 };
    const first = importNir(single(node, inShape, outShape), options);
    const exported = exportNir(first);
    expect(exported.graph.nodes.get('node')?.type).toBe(node.type);
    const again = importNir(exported, options);
    const viaBytes = importNir(await readNir(await writeNir(exported), `${node.type}.nir`), options);
    for (const model of [again, viaBytes]) {
      expect(graphToJSON(model.graph)).toBe(graphToJSON(first.graph));
      expect(run(model, { input: x })).toEqual(run(first, { input: x }));
    }
    // The input reaches the output: a node that dropped it would pass the comparisons above vacuously.
    expect(run(first, { input: x }).output!.some((v) => v !== 0)).toBe(true);
  });
});
