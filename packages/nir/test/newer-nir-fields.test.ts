// Files in the layout of NIR versions after 0.2: `v_reset` on spiking neurons, `input_type` /
// `output_type` / `metadata` groups on any node, Flatten's `input_type` as a group.
import { describe, expect, it } from 'vitest';
import { readNir } from '../src/index.js';
import { f32, f64, i64, i64Scalar, memberOf, nirFile, node, nodesOf, smallGraph, str, type H5Item } from './hand-written-hdf5.js';

const types = (input: number[], output: number[]): [string, H5Item][] => [
  ['input_type', new Map([['input', i64(input)]])],
  ['output_type', new Map([['output', i64(output)]])],
  ['metadata', new Map<string, H5Item>([['framework', str('snntorch')], ['dt', f64([], [1e-4])]])],
];

describe('newer NIR fields', () => {
  it('reads v_reset and ignores input_type, output_type and metadata groups', async () => {
    const graph = smallGraph();
    const lif = memberOf(graph, 'lif');
    lif.set('v_reset', f64([2], [0, -0.25]));
    for (const [name, item] of types([2], [2])) lif.set(name, item);
    nodesOf(graph).set('if', node('IF', [['r', f32([2])], ['v_threshold', f32([2])], ['v_reset', f32([2], [0.5, 0])], ...types([2], [2])]));
    nodesOf(graph).set('cuba', node('CubaLIF', [['tau_syn', f64([2])], ['tau_mem', f64([2])], ['r', f64([2])], ['v_leak', f64([2])], ['v_threshold', f64([2])], ['v_reset', f64([2], [1, 2])], ['w_in', f64([2])]]));
    for (const [name, item] of types([3], [2])) graph.set(name, item);
    const doc = await readNir(await nirFile(graph, '1.0.0'), 'newer.nir');
    expect(doc.version).toBe('1.0.0');
    const read = doc.graph.nodes.get('lif');
    expect(read?.type === 'LIF' && Array.from(read.v_reset!.data)).toEqual([0, -0.25]);
    expect(read && Object.keys(read).sort()).toEqual(['r', 'tau', 'type', 'v_leak', 'v_reset', 'v_threshold']);
    const spiking = doc.graph.nodes.get('if');
    expect(spiking?.type === 'IF' && spiking.v_reset?.dtype).toBe('float32');
    const cuba = doc.graph.nodes.get('cuba');
    expect(cuba?.type === 'CubaLIF' && Array.from(cuba.v_reset!.data)).toEqual([1, 2]);
  });

  it("reads Flatten's input_type as a dataset (0.2) or as a group with `input` (newer)", async () => {
    const graph = smallGraph();
    nodesOf(graph).set('flat_old', node('Flatten', [['start_dim', i64Scalar(0)], ['end_dim', i64Scalar(-1)], ['input_type', i64([2, 3])]]));
    nodesOf(graph).set('flat_new', node('Flatten', [['start_dim', i64Scalar(1)], ['end_dim', i64Scalar(2)], ['input_type', new Map([['input', i64([4, 5, 6])]])], ['output_type', new Map([['output', i64([4, 30])]])]]));
    nodesOf(graph).set('flat_none', node('Flatten', [['start_dim', i64Scalar(0)], ['end_dim', i64Scalar(-1)]]));
    const doc = await readNir(await nirFile(graph), 'flatten.nir');
    expect(doc.graph.nodes.get('flat_old')).toEqual({ type: 'Flatten', start_dim: 0, end_dim: -1, input_type: [2, 3] });
    expect(doc.graph.nodes.get('flat_new')).toEqual({ type: 'Flatten', start_dim: 1, end_dim: 2, input_type: [4, 5, 6] });
    expect(doc.graph.nodes.get('flat_none')).toEqual({ type: 'Flatten', start_dim: 0, end_dim: -1, input_type: undefined });
  });
});
