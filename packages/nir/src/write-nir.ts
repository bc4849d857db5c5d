import type { Group } from 'h5wasm';
import { writeHdf5 } from './hdf5.js';
import type { NirArray, NirDocument, NirGraph, NirNode, NirNodeType } from './nir-graph.js';
import { documentRoot } from './nir-location.js';
import { validateNirDocument } from './validate-nir.js';

/** The `source` that writeNir's errors name: the document handed to it, not a file. */
const WRITTEN_DOCUMENT = 'document passed to writeNir';

/**
 * Writes a NirDocument as a NIR file (HDF5 bytes) in the layout NIR's own writer uses (see
 * readNir): parameters in their own dtype (float32 or float64), integers as int64, strings as
 * UTF-8. The document is validated first, so no invalid file is written. A graph's `nodes` group
 * keeps creation order, so reading the bytes back gives the nodes in the document's order.
 */
export async function writeNir(document: NirDocument): Promise<Uint8Array> {
  validateNirDocument(document, WRITTEN_DOCUMENT);
  return writeHdf5(documentRoot(WRITTEN_DOCUMENT), (file) => {
    writeString(file, 'version', document.version);
    writeNode(file.create_group('node'), document.graph);
  });
}

type NodeOf<T extends NirNodeType> = Extract<NirNode, { type: T }>;
type NodeWriter<T extends NirNodeType> = (group: Group, node: NodeOf<T>) => void;

/** One writer per node type; a type added to NirNode fails to compile here until it has one. */
const NODE_WRITERS: { readonly [T in NirNodeType]: NodeWriter<T> } = {
  Input: (g, n) => writeInts(g, 'shape', n.shape),
  Output: (g, n) => writeInts(g, 'shape', n.shape),
  Affine: (g, n) => writeArrays(g, { weight: n.weight, bias: n.bias }),
  Linear: (g, n) => writeArrays(g, { weight: n.weight }),
  Scale: (g, n) => writeArrays(g, { scale: n.scale }),
  Threshold: (g, n) => writeArrays(g, { threshold: n.threshold }),
  Flatten: (g, n) => {
    writeInt(g, 'start_dim', n.start_dim);
    writeInt(g, 'end_dim', n.end_dim);
    // NIR 0.2's form (a dataset); NIR's newer readers take it too.
    if (n.input_type !== undefined) writeInts(g, 'input_type', n.input_type);
  },
  Conv1d: (g, n) => {
    writeArrays(g, { weight: n.weight, bias: n.bias });
    for (const field of ['stride', 'padding', 'dilation', 'groups'] as const) writeInt(g, field, n[field]);
    if (n.input_shape !== undefined) writeInt(g, 'input_shape', n.input_shape);
  },
  Conv2d: (g, n) => {
    writeArrays(g, { weight: n.weight, bias: n.bias });
    for (const field of ['stride', 'padding', 'dilation'] as const) writeInts(g, field, n[field]);
    writeInt(g, 'groups', n.groups);
    if (n.input_shape !== undefined) writeInts(g, 'input_shape', n.input_shape);
  },
  SumPool2d: (g, n) => writePool(g, n),
  AvgPool2d: (g, n) => writePool(g, n),
  Delay: (g, n) => writeArrays(g, { delay: n.delay }),
  I: (g, n) => writeArrays(g, { r: n.r }),
  IF: (g, n) => writeArrays(g, { r: n.r, v_threshold: n.v_threshold, v_reset: n.v_reset }),
  LI: (g, n) => writeArrays(g, { tau: n.tau, r: n.r, v_leak: n.v_leak }),
  LIF: (g, n) => writeArrays(g, { tau: n.tau, r: n.r, v_leak: n.v_leak, v_threshold: n.v_threshold, v_reset: n.v_reset }),
  CubaLI: (g, n) => writeArrays(g, { tau_syn: n.tau_syn, tau_mem: n.tau_mem, r: n.r, v_leak: n.v_leak, w_in: n.w_in }),
  CubaLIF: (g, n) =>
    writeArrays(g, { tau_syn: n.tau_syn, tau_mem: n.tau_mem, r: n.r, v_leak: n.v_leak, v_threshold: n.v_threshold, v_reset: n.v_reset, w_in: n.w_in }),
  NIRGraph: writeGraph,
};

function writeNode(group: Group, node: NirNode): void {
  writeString(group, 'type', node.type);
  // validateNirDocument has checked the type against the same table, so the writer exists.
  (NODE_WRITERS[node.type] as NodeWriter<NirNodeType>)(group, node);
}

function writeGraph(group: Group, graph: NirGraph): void {
  const nodes = group.create_group('nodes', /* track_order */ true);
  for (const [name, node] of graph.nodes) writeNode(nodes.create_group(name), node);
  group.create_dataset({ name: 'edges', data: graph.edges.flat(), shape: [graph.edges.length, 2], dtype: 'S' });
}

function writePool(group: Group, node: NodeOf<'SumPool2d' | 'AvgPool2d'>): void {
  for (const field of ['kernel_size', 'stride', 'padding'] as const) writeInts(group, field, node[field]);
}

function writeString(group: Group, name: string, value: string): void {
  group.create_dataset({ name, data: value, dtype: 'S' });
}

// int64 (`<q`), as NIR writes integers. h5wasm takes each dataset's dtype from its typed array;
// naming it as well is worse: '<i8' makes h5wasm convert BigInts as numbers, and '<f8' means
// float32 to h5wasm (it reads the letter, not the size).
function writeInt(group: Group, name: string, value: number): void {
  group.create_dataset({ name, data: BigInt64Array.of(BigInt(value)), shape: [] });
}

function writeInts(group: Group, name: string, values: readonly number[]): void {
  group.create_dataset({ name, data: BigInt64Array.from(values, (v) => BigInt(v)), shape: [values.length] });
}

/**
 * Present arrays, each in its own dtype (Float32Array → `<f`, Float64Array → `<d`, which the
 * validation has matched to `dtype`); an absent optional one (`undefined`) is left out.
 */
function writeArrays(group: Group, arrays: Record<string, NirArray | undefined>): void {
  for (const [name, array] of Object.entries(arrays)) {
    if (array === undefined) continue;
    group.create_dataset({ name, data: array.data, shape: [...array.shape] });
  }
}
