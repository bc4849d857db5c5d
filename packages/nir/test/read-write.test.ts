// write → read gives the same document: same node order and types, same integers, same edges,
// and every parameter in the same dtype with the same bits.
import h5wasm, { Dataset, File } from 'h5wasm';
import { describe, expect, it } from 'vitest';
import { readNir, writeNir, type NirArray, type NirDocument, type NirGraph, type NirNode } from '../src/index.js';
import { EVERY_NODE_TYPE, everyTypeDocument } from './nir-fixtures.js';
import { readSharedNir, SHARED_NIR_FILES } from './shared-files.js';

function bytesOf(array: NirArray): Uint8Array {
  return new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
}

/** The first index where two byte arrays differ, or -1 (vitest's deep equality is slow on 100 kB). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function isNirArray(value: unknown): value is NirArray {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'data' in value;
}

/** Field by field, arrays compared by dtype, shape and bytes; `path` names the field that differs. */
function expectSameNode(actual: NirNode, expected: NirNode, path: string): void {
  expect(Object.keys(actual).sort(), path).toEqual(Object.keys(expected).sort());
  for (const [field, want] of Object.entries(expected)) {
    const got = (actual as unknown as Record<string, unknown>)[field];
    const at = `${path}/${field}`;
    if (isNirArray(want)) {
      expect(isNirArray(got), at).toBe(true);
      const array = got as NirArray;
      expect(array.dtype, at).toBe(want.dtype);
      expect(array.data.constructor, at).toBe(want.data.constructor);
      expect(array.shape, at).toEqual(want.shape);
      expect(firstDifference(bytesOf(array), bytesOf(want)), at).toBe(-1);
    } else if (field === 'nodes') {
      expectSameGraph(actual as NirGraph, expected as NirGraph, path);
    } else {
      expect(got, at).toEqual(want);
    }
  }
}

function expectSameGraph(actual: NirGraph, expected: NirGraph, path: string): void {
  expect([...actual.nodes.keys()], `${path}/nodes`).toEqual([...expected.nodes.keys()]);
  for (const [name, node] of expected.nodes) expectSameNode(actual.nodes.get(name)!, node, `${path}/nodes/${name}`);
  expect(actual.edges, `${path}/edges`).toEqual(expected.edges);
}

function expectSameDocument(actual: NirDocument, expected: NirDocument): void {
  expect(actual.version).toBe(expected.version);
  expectSameNode(actual.graph, expected.graph, 'node');
}

/** A dataset's bytes straight from the file through h5wasm, bypassing readNir. */
async function rawDatasetBytes(file: Uint8Array, path: string): Promise<{ dtype: unknown; bytes: Uint8Array }> {
  const { FS } = await h5wasm.ready;
  FS.writeFile('/raw-check.h5', file);
  const h5 = new File('/raw-check.h5', 'r');
  try {
    const dataset = h5.get(path) as Dataset;
    const value = dataset.value as Float32Array | Float64Array;
    return { dtype: dataset.dtype, bytes: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
  } finally {
    h5.close();
    FS.unlink('/raw-check.h5');
  }
}

describe('writeNir then readNir', () => {
  it.each(SHARED_NIR_FILES)('keeps %s: same document, dtypes and bits', async (name) => {
    const original = readSharedNir(name);
    const document = await readNir(original, name);
    const rewritten = await writeNir(document);
    expectSameDocument(await readNir(rewritten, `${name} rewritten`), document);
    // The bits also match the file's own, read without readNir.
    const field = name === 'cnn_sinabs.nir' ? 'node/nodes/0/weight' : 'node/nodes/lif1.lif/tau_mem';
    const before = await rawDatasetBytes(original, field);
    const after = await rawDatasetBytes(rewritten, field);
    expect(after.dtype).toBe(before.dtype);
    expect(before.dtype).toBe(name === 'cnn_sinabs.nir' ? '<f' : '<d');
    expect(before.bytes.length).toBeGreaterThan(0);
    expect(firstDifference(after.bytes, before.bytes)).toBe(-1);
  });

  it('keeps a document with one node of every type, a nested NIRGraph included', async () => {
    const document = everyTypeDocument();
    const types = new Set<string>();
    const collect = (g: NirGraph): void => g.nodes.forEach((n) => (types.add(n.type), n.type === 'NIRGraph' && collect(n)));
    collect(document.graph);
    types.add(document.graph.type);
    expect([...types].sort()).toEqual(Object.keys(EVERY_NODE_TYPE).sort());

    const bytes = await writeNir(document);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    const back = await readNir(bytes, 'every-type.nir');
    expectSameDocument(back, document);
    // -0 and the float32 subnormal survive as bits, not just as equal numbers.
    const affine = back.graph.nodes.get('fc.affine');
    expect(affine?.type === 'Affine' && Object.is(affine.weight.data[1], -0)).toBe(true);
    expect(affine?.type === 'Affine' && affine.bias.data[0]).toBe(1.401298464324817e-45);
    // Writing what was read and reading it again gives the same document. (Not the same file bytes:
    // HDF5 stores each object's modification time, so two writes in different seconds differ there.)
    expectSameDocument(await readNir(await writeNir(back), 'every-type again.nir'), document);
  });
});
