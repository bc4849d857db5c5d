// HDF5 files written member by member with h5wasm, bypassing writeNir, so a test can build a NIR
// file that is wrong in exactly one place.
import h5wasm, { File, type Group } from 'h5wasm';

type Data = Float32Array | Float64Array | BigInt64Array | Int32Array | string | string[];

/** A dataset; `resizeTo` grows it afterwards without writing data (chunked, so the file stays small). */
export interface H5Data { readonly kind: 'data'; readonly data: Data; readonly shape?: number[]; readonly dtype?: 'S'; readonly resizeTo?: number[] }
export interface H5Link { readonly kind: 'hard-link' | 'soft-link' | 'external-link'; readonly target: string }
export type H5Tree = Map<string, H5Item>;
export type H5Item = H5Tree | H5Data | H5Link;

export const str = (value: string): H5Data => ({ kind: 'data', data: value, dtype: 'S' });
export const strings = (values: string[], shape: number[]): H5Data => ({ kind: 'data', data: values, shape, dtype: 'S' });
export const i64 = (values: number[], shape = [values.length]): H5Data => ({ kind: 'data', data: BigInt64Array.from(values, (v) => BigInt(v)), shape });
export const i64Scalar = (value: number): H5Data => i64([value], []);
export const f32 = (shape: number[], values?: number[]): H5Data => ({ kind: 'data', data: Float32Array.from(values ?? filled(shape)), shape });
export const f64 = (shape: number[], values?: number[]): H5Data => ({ kind: 'data', data: Float64Array.from(values ?? filled(shape)), shape });

function filled(shape: number[]): number[] {
  return Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.5 + i);
}

export function node(type: string, fields: [string, H5Item][]): H5Tree {
  return new Map<string, H5Item>([['type', str(type)], ...fields]);
}

export function nirGraph(nodes: [string, H5Item][], edges: [string, string][]): H5Tree {
  return node('NIRGraph', [['nodes', new Map(nodes)], ['edges', strings(edges.flat(), edges.length === 0 ? [0] : [edges.length, 2])]]);
}

/** Input(3) → Affine(2×3) → LIF(2) → Output(2), valid; tests break one member of it. */
export function smallGraph(): H5Tree {
  return nirGraph(
    [
      ['input', node('Input', [['shape', i64([3])]])],
      ['fc', node('Affine', [['weight', f32([2, 3])], ['bias', f32([2])]])],
      ['lif', node('LIF', [['tau', f64([2])], ['r', f64([2])], ['v_leak', f64([2])], ['v_threshold', f64([2])]])],
      ['output', node('Output', [['shape', i64([2])]])],
    ],
    [['input', 'fc'], ['fc', 'lif'], ['lif', 'output']],
  );
}

/** The `nodes` group of a graph tree, to add, replace or delete a node. */
export function nodesOf(graph: H5Tree): H5Tree {
  return graph.get('nodes') as H5Tree;
}

export function memberOf(graph: H5Tree, name: string): H5Tree {
  return nodesOf(graph).get(name) as H5Tree;
}

function isTree(item: H5Item): item is H5Tree {
  return item instanceof Map;
}

function writeTree(group: Group, tree: H5Tree): void {
  for (const [name, item] of tree) {
    if (isTree(item)) {
      writeTree(group.create_group(name), item);
    } else if (item.kind === 'data') {
      const growable = item.resizeTo !== undefined;
      const dataset = group.create_dataset({
        name,
        data: item.data,
        shape: item.shape,
        dtype: item.dtype,
        ...(growable ? { maxshape: item.resizeTo, chunks: item.shape } : {}),
      });
      if (growable) dataset.resize(item.resizeTo!);
    } else if (item.kind === 'hard-link') {
      group.create_hard_link(item.target, name);
    } else if (item.kind === 'soft-link') {
      group.create_soft_link(item.target, name);
    } else {
      group.create_external_link('elsewhere.h5', item.target, name);
    }
  }
}

let fileNumber = 0;

/** A NIR file: root `version` and `node` (unless `root` says otherwise). */
export async function hdf5Bytes(root: H5Tree): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const path = `/hand-written-${++fileNumber}.h5`;
  const file = new File(path, 'w');
  try {
    writeTree(file, root);
  } finally {
    file.close();
  }
  const bytes = FS.readFile(path);
  FS.unlink(path);
  return bytes;
}

export function nirFile(graph: H5Tree, version = '0.2.0'): Promise<Uint8Array> {
  return hdf5Bytes(new Map<string, H5Item>([['version', str(version)], ['node', graph]]));
}
