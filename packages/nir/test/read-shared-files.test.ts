// The three NIR 0.2.0 files written by Sinabs and snnTorch read to the structure their README and
// the NIR paper describe, with each parameter in the dtype its writer chose.
import { describe, expect, it } from 'vitest';
import { readNir, type NirArray, type NirDocument, type NirNode } from '../src/index.js';
import { readSharedNir } from './shared-files.js';

function nodeOf<T extends NirNode['type']>(doc: NirDocument, name: string, type: T): Extract<NirNode, { type: T }> {
  const node = doc.graph.nodes.get(name);
  expect(node?.type, name).toBe(type);
  return node as Extract<NirNode, { type: T }>;
}

function expectArray(array: NirArray | undefined, dtype: NirArray['dtype'], shape: number[]): NirArray {
  expect(array?.dtype).toBe(dtype);
  expect(array?.shape).toEqual(shape);
  expect(array?.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
  expect(array?.data.length).toBe(shape.reduce((a, b) => a * b, 1));
  return array!;
}

function sortedEdges(doc: NirDocument): string[] {
  return doc.graph.edges.map(([a, b]) => `${a}->${b}`).sort();
}

function chain(names: string[]): string[] {
  return names.slice(1).map((to, i) => `${names[i]}->${to}`).sort();
}

describe('cnn_sinabs.nir (Sinabs)', () => {
  it('is the N-MNIST CNN: Conv2d/IF/SumPool2d/Flatten/Affine in a chain, all float32', async () => {
    const doc = await readNir(readSharedNir('cnn_sinabs.nir'), 'cnn_sinabs.nir');
    expect(doc.version).toBe('0.2.0');
    const types = Object.fromEntries([...doc.graph.nodes].map(([name, node]) => [name, node.type]));
    expect(types).toEqual({
      input: 'Input', 0: 'Conv2d', 1: 'IF', 2: 'Conv2d', 3: 'IF', 4: 'SumPool2d', 5: 'Conv2d', 6: 'IF', 7: 'SumPool2d',
      8: 'Flatten', 9: 'Affine', 10: 'IF', 11: 'Affine', 12: 'IF', output: 'Output',
    });
    expect(sortedEdges(doc)).toEqual(chain(['input', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', 'output']));
    expect(nodeOf(doc, 'input', 'Input').shape).toEqual([2, 34, 34]);
    expect(nodeOf(doc, 'output', 'Output').shape).toEqual([10]);

    // Conv2d(2→16, k5, s2, p1), then Conv2d(16→16, k3, p1) and Conv2d(16→8, k3, p1), as the README lists.
    const conv0 = nodeOf(doc, '0', 'Conv2d');
    expectArray(conv0.weight, 'float32', [16, 2, 5, 5]);
    expect([conv0.stride, conv0.padding, conv0.dilation, conv0.groups, conv0.input_shape]).toEqual([[2, 2], [1, 1], [1, 1], 1, [34, 34]]);
    const conv2 = nodeOf(doc, '2', 'Conv2d');
    expectArray(conv2.weight, 'float32', [16, 16, 3, 3]);
    expect([conv2.stride, conv2.padding, conv2.input_shape]).toEqual([[1, 1], [1, 1], [16, 16]]);
    expectArray(nodeOf(doc, '5', 'Conv2d').weight, 'float32', [8, 16, 3, 3]);
    // "no biases": Sinabs stores zero biases.
    for (const name of ['0', '2', '5']) expect(Array.from(expectArray(nodeOf(doc, name, 'Conv2d').bias, 'float32', [name === '5' ? 8 : 16]).data).every((b) => b === 0)).toBe(true);

    // The first conv + IF layer's output is (16, 16, 16) per sample, as the paper states.
    const if1 = nodeOf(doc, '1', 'IF');
    expectArray(if1.r, 'float32', [16, 16, 16]);
    expectArray(if1.v_threshold, 'float32', [16, 16, 16]);
    expect(if1.v_reset).toBeUndefined();
    expectArray(nodeOf(doc, '6', 'IF').r, 'float32', [8, 8, 8]);
    expect(nodeOf(doc, '4', 'SumPool2d')).toEqual({ type: 'SumPool2d', kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] });
    expect(nodeOf(doc, '8', 'Flatten')).toEqual({ type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [8, 4, 4] });
    // Flatten gives 8·4·4 = 128, the Linear(128→256) of the README, then 256→10.
    expectArray(nodeOf(doc, '9', 'Affine').weight, 'float32', [256, 128]);
    expectArray(nodeOf(doc, '11', 'Affine').weight, 'float32', [10, 256]);
    expectArray(nodeOf(doc, '11', 'Affine').bias, 'float32', [10]);
  });
});

describe.each([
  ['braille_noDelay_bias_zero.nir', 38, 'Affine'],
  ['braille_noDelay_noBias_subtract.nir', 40, 'Linear'],
] as const)('%s (snnTorch)', (file, hidden, synapse) => {
  it(`is the recurrent CubaLIF network 12 → ${hidden} → 7 with float32 weights and float64 neurons`, async () => {
    const doc = await readNir(readSharedNir(file), file);
    expect(doc.version).toBe('0.2.0');
    const types = Object.fromEntries([...doc.graph.nodes].map(([name, node]) => [name, node.type]));
    expect(types).toEqual({ input: 'Input', fc1: synapse, 'lif1.lif': 'CubaLIF', 'lif1.w_rec': synapse, fc2: synapse, lif2: 'CubaLIF', output: 'Output' });
    expect(sortedEdges(doc)).toEqual(
      ['input->fc1', 'fc1->lif1.lif', 'lif1.lif->lif1.w_rec', 'lif1.w_rec->lif1.lif', 'lif1.lif->fc2', 'fc2->lif2', 'lif2->output'].sort(),
    );
    expect(nodeOf(doc, 'input', 'Input').shape).toEqual([12]);
    expect(nodeOf(doc, 'output', 'Output').shape).toEqual([7]);

    const weights = { fc1: [hidden, 12], 'lif1.w_rec': [hidden, hidden], fc2: [7, hidden] };
    for (const [name, shape] of Object.entries(weights)) {
      const node = doc.graph.nodes.get(name)!;
      expect(node.type).toBe(synapse);
      if (node.type === 'Affine') {
        expectArray(node.weight, 'float32', shape);
        expectArray(node.bias, 'float32', [shape[0]!]);
      } else if (node.type === 'Linear') {
        expectArray(node.weight, 'float32', shape);
      }
    }

    // snnTorch's export writes r = tau_mem / dt and w_in = tau_syn / dt, with dt = 1e-4 (README).
    const dt = 1e-4;
    for (const [name, size] of [['lif1.lif', hidden], ['lif2', 7]] as const) {
      const lif = nodeOf(doc, name, 'CubaLIF');
      for (const field of ['tau_syn', 'tau_mem', 'r', 'v_leak', 'v_threshold'] as const) expectArray(lif[field], 'float64', [size]);
      const wIn = expectArray(lif.w_in, 'float64', [size]);
      expect(lif.v_reset).toBeUndefined();
      for (let i = 0; i < size; i++) {
        expect(lif.r.data[i]! * dt).toBeCloseTo(lif.tau_mem.data[i]!, 12);
        expect(wIn.data[i]! * dt).toBeCloseTo(lif.tau_syn.data[i]!, 12);
        expect(lif.v_threshold.data[i]).toBe(1);
        expect(lif.v_leak.data[i]).toBe(0);
      }
    }
  });
});
