// Damaged and hostile NIR files: each is rejected with ONE SpikeflowError whose message names the
// file, the node path and the field, before any document is returned.
import { SpikeflowError } from '@spikeflow/core';
import h5wasm from 'h5wasm';
import { describe, expect, it } from 'vitest';
import { MAX_NIR_DEPTH, MAX_NIR_ELEMENTS, MAX_NIR_NODES, readNir, writeNir, type NirDocument } from '../src/index.js';
import { NirBudget } from '../src/nir-limits.js';
import { documentRoot } from '../src/nir-location.js';
import {
  f32, f64, hdf5Bytes, i64, i64Scalar, memberOf, nirFile, nirGraph, node, nodesOf, smallGraph, str, strings,
  type H5Item, type H5Tree,
} from './hand-written-hdf5.js';
import { everyTypeDocument } from './nir-fixtures.js';

async function rejection(bytes: Uint8Array | Promise<Uint8Array>): Promise<SpikeflowError> {
  try {
    await readNir(await bytes, 'bad.nir');
  } catch (error) {
    expect(error).toBeInstanceOf(SpikeflowError);
    return error as SpikeflowError;
  }
  throw new Error('readNir accepted the file');
}

/** smallGraph() with one change, as a file. */
function broken(change: (graph: H5Tree) => void): Promise<Uint8Array> {
  const graph = smallGraph();
  change(graph);
  return nirFile(graph);
}

function withNode(name: string, item: H5Item): Promise<Uint8Array> {
  return broken((g) => nodesOf(g).set(name, item));
}

describe('bytes that are not a NIR file', () => {
  it('refuses bytes without the HDF5 signature', async () => {
    const error = await rejection(new TextEncoder().encode('{"version": "0.2.0"}'));
    expect(error.message).toBe(
      "[schema] at 'bad.nir': not an HDF5 file (NIR files are HDF5); expected the HDF5 signature \\x89HDF\\r\\n\\x1a\\n at byte 0; found 20 bytes without it",
    );
  });

  it('refuses a truncated HDF5 file with HDF5 own reason, not its C source lines', async () => {
    const whole = await nirFile(smallGraph());
    const error = await rejection(whole.subarray(0, 200));
    expect(error.message).toMatch(/^\[schema\] at 'bad\.nir': HDF5 could not read the file: truncated file: eof = 200/);
    expect(error.message).not.toMatch(/\.c line/);
  });

  it('refuses an HDF5 file without the NIR layout', async () => {
    expect((await rejection(hdf5Bytes(new Map([['node', smallGraph()]])))).message).toBe("[schema] at 'bad.nir: version': missing required field 'version'");
    expect((await rejection(hdf5Bytes(new Map<string, H5Item>([['version', str('0.2.0')], ['node', i64([1])]])))).message).toBe(
      "[schema] at 'bad.nir: node': 'node' must be an HDF5 group; expected a group; found a dataset",
    );
    expect((await rejection(nirFile(node('LIF', [['tau', f64([1])], ['r', f64([1])], ['v_leak', f64([1])], ['v_threshold', f64([1])]])))).message).toBe(
      "[schema] at 'bad.nir: node/type': the top-level node must be a NIRGraph; expected 'NIRGraph'; found 'LIF'",
    );
  });

  it('leaves no scratch file behind in h5wasm\'s file system after a rejection', async () => {
    await rejection(broken((g) => memberOf(g, 'lif').delete('tau')));
    const { FS } = await h5wasm.ready;
    expect(FS.readdir('/').filter((name: string) => name.startsWith('spikeflow-nir-'))).toEqual([]);
  });
});

describe('node types and fields', () => {
  it('refuses an unknown node type, naming it and the node', async () => {
    const error = await rejection(broken((g) => memberOf(g, 'lif').set('type', str('Sigmoid'))));
    expect(error.code).toBe('unknown-op');
    expect(error.message).toMatch(/^\[unknown-op\] at 'bad\.nir: node\/nodes\/lif\/type': unknown NIR node type 'Sigmoid'; expected one of Input, Output, Affine, /);
  });

  it('refuses a node type that names an Object.prototype member', async () => {
    const error = await rejection(broken((g) => memberOf(g, 'lif').set('type', str('constructor'))));
    expect(error.message).toMatch(/^\[unknown-op\] at 'bad\.nir: node\/nodes\/lif\/type': unknown NIR node type 'constructor'/);
  });

  it('refuses a missing required field', async () => {
    const error = await rejection(broken((g) => memberOf(g, 'lif').delete('tau')));
    expect(error.message).toBe("[schema] at 'bad.nir: node/nodes/lif/tau': missing required field 'tau'");
  });

  it('refuses a field the node type does not define, instead of ignoring what it might mean', async () => {
    const error = await rejection(broken((g) => memberOf(g, 'lif').set('refractory', f64([2]))));
    expect(error.message).toBe("[schema] at 'bad.nir: node/nodes/lif/refractory': unknown field 'refractory' for this node; expected only the fields NIR defines for it");
  });

  it('refuses a parameter stored as integers or as a string', async () => {
    expect((await rejection(broken((g) => memberOf(g, 'lif').set('tau', i64([1, 2]))))).message).toBe(
      "[dtype] at 'bad.nir: node/nodes/lif/tau': 'tau' must be a float array; expected little-endian float32 or float64; found 64-bit signed integers",
    );
    expect((await rejection(broken((g) => memberOf(g, 'lif').set('tau', str('fast'))))).message).toMatch(/^\[dtype\] at 'bad\.nir: node\/nodes\/lif\/tau': .*found strings$/);
  });

  it('refuses a `type` that is not a single string', async () => {
    const error = await rejection(broken((g) => memberOf(g, 'lif').set('type', strings(['LIF', 'IF'], [2]))));
    expect(error.message).toBe("[shape] at 'bad.nir: node/nodes/lif/type': 'type' must be a single string; expected shape []; found [2]");
  });
});

describe('shapes', () => {
  it('refuses neuron parameters that disagree in shape, naming both fields', async () => {
    const error = await rejection(broken((g) => memberOf(g, 'lif').set('v_threshold', f64([3]))));
    expect(error.message).toBe("[shape] at 'bad.nir: node/nodes/lif/v_threshold': 'v_threshold' and 'tau' of one neuron node must have the same shape; expected [2]; found [3]");
  });

  it('accepts a single-value (rank-0) neuron parameter beside per-neuron ones', async () => {
    const doc = await readNir(await broken((g) => memberOf(g, 'lif').set('v_threshold', f64([], [1]))), 'ok.nir');
    const lif = doc.graph.nodes.get('lif');
    expect(lif?.type === 'LIF' && lif.v_threshold.shape).toEqual([]);
  });

  it('refuses an Affine weight that is not 2-D, and a bias whose length is not the rows', async () => {
    expect((await rejection(broken((g) => memberOf(g, 'fc').set('weight', f32([6]))))).message).toBe(
      "[shape] at 'bad.nir: node/nodes/fc/weight': must be a 2-D array; expected rank 2; found shape [6]",
    );
    expect((await rejection(broken((g) => memberOf(g, 'fc').set('bias', f32([3]))))).message).toBe(
      "[shape] at 'bad.nir: node/nodes/fc/bias': the bias must have one entry per row of the weight [out, in]; expected length 2; found length 3",
    );
  });

  it('refuses a conv weight of the wrong rank, a zero kernel, and a bias per wrong channel count', async () => {
    const conv = (weight: H5Item, bias: H5Item = f32([4])): H5Tree =>
      node('Conv2d', [['weight', weight], ['bias', bias], ['stride', i64([1, 1])], ['padding', i64([0, 0])], ['dilation', i64([1, 1])], ['groups', i64Scalar(1)]]);
    expect((await rejection(withNode('conv', conv(f32([4, 3, 3]))))).message).toBe(
      "[shape] at 'bad.nir: node/nodes/conv/weight': must be a 4-D array; expected rank 4; found shape [4, 3, 3]",
    );
    expect((await rejection(withNode('conv', conv(f32([4, 2, 0, 3]))))).message).toMatch(/^\[shape\] at 'bad\.nir: node\/nodes\/conv\/weight': a convolution weight .* cannot have a zero dimension/);
    expect((await rejection(withNode('conv', conv(f32([4, 2, 3, 3]), f32([2]))))).message).toBe(
      "[shape] at 'bad.nir: node/nodes/conv/bias': the bias must have one entry per output channel; expected length 4; found length 2",
    );
    const conv1d = node('Conv1d', [['weight', f32([4, 2, 3, 1])], ['stride', i64Scalar(1)], ['padding', i64Scalar(0)], ['dilation', i64Scalar(1)], ['groups', i64Scalar(1)]]);
    expect((await rejection(withNode('conv', conv1d))).message).toBe("[shape] at 'bad.nir: node/nodes/conv/weight': must be a 3-D array; expected rank 3; found shape [4, 2, 3, 1]");
  });

  it('refuses an integer field of the wrong rank', async () => {
    const pool = node('SumPool2d', [['kernel_size', i64([2, 2, 2])], ['stride', i64([2, 2])], ['padding', i64([0, 0])]]);
    expect((await rejection(withNode('pool', pool))).message).toBe(
      "[shape] at 'bad.nir: node/nodes/pool/kernel_size': 'kernel_size' must be two integers (one per spatial axis); expected shape [2] or []; found shape [3]",
    );
    expect((await rejection(broken((g) => memberOf(g, 'input').set('shape', i64([3], [1, 1]))))).message).toBe(
      "[shape] at 'bad.nir: node/nodes/input/shape': 'shape' must be a list of integers; expected rank 1; found shape [1, 1]",
    );
  });
});

describe('values', () => {
  it('refuses NaN and infinities in parameters, naming the flat index', async () => {
    expect((await rejection(broken((g) => memberOf(g, 'fc').set('weight', f32([2, 3], [0, 1, 2, Number.NaN, 4, 5]))))).message).toBe(
      "[nan] at 'bad.nir: node/nodes/fc/weight': a non-finite value at flat index 3; expected finite values; found NaN",
    );
    expect((await rejection(broken((g) => memberOf(g, 'lif').set('tau', f64([2], [1, Number.NEGATIVE_INFINITY]))))).message).toBe(
      "[nan] at 'bad.nir: node/nodes/lif/tau': a non-finite value at flat index 1; expected finite values; found -Infinity",
    );
  });

  const pool = (kernel: H5Item, stride: H5Item = i64([2, 2])): H5Tree => node('AvgPool2d', [['kernel_size', kernel], ['stride', stride], ['padding', i64([0, 0])]]);

  it('refuses a zero kernel, a negative stride and a non-integer stride', async () => {
    expect((await rejection(withNode('pool', pool(i64([0, 2]))))).message).toBe(
      "[attr] at 'bad.nir: node/nodes/pool/kernel_size': must be an integer >= 1; expected an integer >= 1; found 0",
    );
    expect((await rejection(withNode('pool', pool(i64([2, 2]), i64([2, -1]))))).message).toBe(
      "[attr] at 'bad.nir: node/nodes/pool/stride': must be an integer >= 1; expected an integer >= 1; found -1",
    );
    expect((await rejection(withNode('pool', pool(i64([2, 2]), f64([2], [1.5, 1]))))).message).toBe(
      "[attr] at 'bad.nir: node/nodes/pool/stride': 'stride' must hold integers; expected whole numbers within ±2^53; found 1.5",
    );
  });

  it('takes whole numbers stored as floats, and a scalar for both axes, as NIR does', async () => {
    const doc = await readNir(await withNode('pool', pool(i64Scalar(3), f64([2], [2, 1]))), 'ok.nir');
    expect(doc.graph.nodes.get('pool')).toEqual({ type: 'AvgPool2d', kernel_size: [3, 3], stride: [2, 1], padding: [0, 0] });
  });

  it('refuses groups that do not divide the channels, and Flatten dims outside its input', async () => {
    const conv = node('Conv1d', [['weight', f32([3, 1, 2])], ['stride', i64Scalar(1)], ['padding', i64Scalar(0)], ['dilation', i64Scalar(1)], ['groups', i64Scalar(2)]]);
    expect((await rejection(withNode('conv', conv))).message).toBe(
      "[attr] at 'bad.nir: node/nodes/conv/groups': 2 groups do not divide 3 output channels; expected a divisor of 3; found 2",
    );
    const flatten = node('Flatten', [['start_dim', i64Scalar(0)], ['end_dim', i64Scalar(3)], ['input_type', i64([2, 3, 4])]]);
    expect((await rejection(withNode('flat', flatten))).message).toBe(
      "[attr] at 'bad.nir: node/nodes/flat/end_dim': 'end_dim' is outside the input's 3 dimensions; expected -3 <= end_dim < 3; found 3",
    );
  });

  it('refuses a negative delay', async () => {
    expect((await rejection(withNode('delay', node('Delay', [['delay', f32([2], [1, -1])]])))).message).toBe(
      "[attr] at 'bad.nir: node/nodes/delay/delay': a delay cannot be negative; expected delays >= 0",
    );
  });
});

describe('edges and names', () => {
  it('refuses an edge that names a missing node', async () => {
    const graph = smallGraph();
    graph.set('edges', strings(['input', 'fc', 'fc', 'lif', 'lif', 'outptu'], [3, 2]));
    const error = await rejection(nirFile(graph));
    expect(error.code).toBe('missing-node');
    expect(error.message).toBe(
      "[missing-node] at 'bad.nir: node/edges': edge 2 [lif -> outptu] names 'outptu', which is not a node of this graph; expected one of fc, input, lif, output; found 'outptu'",
    );
  });

  it('refuses edges that are not pairs of names', async () => {
    const graph = smallGraph();
    graph.set('edges', strings(['input', 'fc', 'lif'], [1, 3]));
    expect((await rejection(nirFile(graph))).message).toBe("[shape] at 'bad.nir: node/edges': 'edges' must be pairs of node names; expected shape [n, 2]; found shape [1, 3]");
    graph.set('edges', i64([0, 1], [1, 2]));
    expect((await rejection(nirFile(graph))).message).toBe("[dtype] at 'bad.nir: node/edges': 'edges' must hold strings; expected strings; found 64-bit signed integers");
  });

  it.each(['__proto__', 'constructor', 'toString'])('refuses a node named %s without touching Object.prototype', async (name) => {
    const error = await rejection(withNode(name, node('Input', [['shape', i64([1])]])));
    expect(error.message).toMatch(new RegExp(`^\\[schema\\] at 'bad\\.nir: node/nodes/${name}': reserved node name '${name}': it names a member of every JavaScript object`));
    expect(Object.prototype).not.toHaveProperty('type');
    expect(Object.prototype).not.toHaveProperty('shape');
  });

  it('refuses links to other objects or files', async () => {
    expect((await rejection(withNode('elsewhere', { kind: 'external-link', target: '/node' }))).message).toBe(
      "[schema] at 'bad.nir: node/nodes/elsewhere': 'elsewhere' must be a group or dataset; expected a group or dataset; found ExternalLink (links to other objects or files are not followed)",
    );
    expect((await rejection(withNode('dangling', { kind: 'soft-link', target: '/nowhere' }))).message).toMatch(/^\[schema\] at 'bad\.nir: node\/nodes\/dangling': .*found BrokenSoftLink/);
  });
});

describe('bounds', () => {
  it('stops a graph that contains itself (an HDF5 hard link) at the nesting limit', async () => {
    const error = await rejection(withNode('again', { kind: 'hard-link', target: '/node' }));
    expect(error.code).toBe('limit');
    expect(error.message).toMatch(new RegExp(`^\\[limit\\] at 'bad\\.nir: node(/nodes/again){${MAX_NIR_DEPTH + 1}}': NIRGraph nodes nest more than ${MAX_NIR_DEPTH} deep`));
  });

  it('counts nodes over the whole document, nested graphs included', () => {
    const budget = new NirBudget();
    const at = documentRoot('bad.nir').child('node/nodes/n');
    for (let i = 0; i < MAX_NIR_NODES; i++) budget.takeNode(at);
    expect(() => budget.takeNode(at)).toThrow(`[limit] at 'bad.nir: node/nodes/n': the document has more than ${MAX_NIR_NODES} nodes`);
  });

  it('refuses a dataset larger than the element limit before reading it', async () => {
    const huge = { kind: 'data' as const, data: new Float32Array(16), shape: [4, 4], resizeTo: [2 ** 15, 2 ** 14] };
    const file = await broken((g) => memberOf(g, 'fc').set('weight', huge));
    expect(file.length).toBeLessThan(100_000);
    const error = await rejection(file);
    expect(error.message).toBe(
      `[limit] at 'bad.nir: node/nodes/fc/weight': the document's arrays exceed ${MAX_NIR_ELEMENTS} elements in all; expected <= ${MAX_NIR_ELEMENTS} elements; found ${2 ** 29} so far`,
    );
  });

  it('reads a file whose nodes sit at depth 20, below the limit', async () => {
    let graph = nirGraph([['input', node('Input', [['shape', i64([1])]])]], []);
    for (let i = 0; i < 20; i++) graph = nirGraph([['inner', graph]], []);
    const doc = await readNir(await nirFile(graph), 'deep.nir');
    let depth = 0;
    for (let g = doc.graph; g.nodes.has('inner'); depth++) g = g.nodes.get('inner') as typeof g;
    expect(depth).toBe(20);
  });
});

/** The document with one node renamed (edges left alone: the name check comes first). */
function renamed(doc: NirDocument, from: string, to: string): NirDocument {
  const nodes = new Map([...doc.graph.nodes].map(([name, n]) => [name === from ? to : name, n]));
  return { version: doc.version, graph: { ...doc.graph, nodes } };
}

describe('writeNir refuses an invalid document with the same checks', () => {
  it('names the document, node path and field', async () => {
    const doc = everyTypeDocument();
    const nodes = new Map(doc.graph.nodes);
    nodes.set('scale', { type: 'Scale', scale: { dtype: 'float32', shape: [2], data: Float32Array.of(1, Number.NaN) } });
    const bad: NirDocument = { version: doc.version, graph: { ...doc.graph, nodes } };
    await expect(writeNir(bad)).rejects.toThrow("[nan] at 'document passed to writeNir: node/nodes/scale/scale': a non-finite value at flat index 1; expected finite values; found NaN");
    const mismatched: NirDocument = { version: '0.2.0', graph: { type: 'NIRGraph', nodes: new Map([['x', { type: 'Scale', scale: { dtype: 'float64', shape: [1], data: Float32Array.of(1) } as never }]]), edges: [] } };
    await expect(writeNir(renamed(doc, 'scale', '.'))).rejects.toThrow(
      "[schema] at 'document passed to writeNir: node/nodes/.': invalid node name '.'; expected a non-empty name without '/', other than '.' and '..'; found '.'",
    );
    await expect(writeNir(renamed(doc, 'scale', 'a/b'))).rejects.toThrow("[schema] at 'document passed to writeNir: node/nodes/a/b': invalid node name 'a/b'");
    await expect(writeNir(mismatched)).rejects.toThrow("[dtype] at 'document passed to writeNir: node/nodes/x/scale': the data must match the dtype");
  });
});
