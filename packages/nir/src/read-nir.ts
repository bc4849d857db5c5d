import { readHdf5 } from './hdf5.js';
import { NirFieldReader } from './hdf5-fields.js';
import type { NirDocument, NirGraph, NirNode, NirNodeType } from './nir-graph.js';
import { expectDepth, NirBudget } from './nir-limits.js';
import { documentRoot } from './nir-location.js';
import { expectNodeName, validateNirDocument } from './validate-nir.js';

/**
 * Reads a NIR file (HDF5) into a NirDocument, and checks it: one SpikeflowError naming the file
 * (`source`), the node path (`node/nodes/lif1.lif`) and the field at fault.
 *
 * Layout, as NIR's own reader and writer have it: a root `version` string and a group `node`
 * holding the top-level NIRGraph; a graph has `type` = "NIRGraph", a group `nodes` with one group
 * per node (each with a `type` string and its fields as datasets) and `edges`, strings of shape
 * [n, 2]. Nested graphs repeat that layout.
 *
 * Newer NIR versions also store, on any node, `input_type` / `output_type` groups (shapes NIR's
 * Python classes infer) and a `metadata` group: these are accepted and ignored, as the typed form
 * does not hold them. Flatten's own `input_type` is read, from either its 0.2 form (a dataset) or
 * its newer form (a group with an `input` dataset). Any other field a node does not define is an
 * error, since ignoring it could silently change what the node computes.
 */
export async function readNir(bytes: Uint8Array, source = 'NIR file'): Promise<NirDocument> {
  const root = documentRoot(source);
  const document = await readHdf5(bytes, root, (file) => {
    const budget = new NirBudget();
    const top = new NirFieldReader(file, root, budget);
    const version = top.string('version');
    const graph = readNode(top.group('node'), budget, 0);
    top.expectAllRead();
    if (graph.type !== 'NIRGraph') return top.at.child('node/type').fail('schema', `the top-level node must be a NIRGraph`, `'NIRGraph'`, `'${graph.type}'`);
    return { version, graph };
  });
  validateNirDocument(document, source);
  return document;
}

/** Members any node may carry that the typed form does not hold (see readNir). */
const IGNORED_FIELDS = ['input_type', 'output_type', 'metadata'] as const;

type NodeOf<T extends NirNodeType> = Extract<NirNode, { type: T }>;
type NodeReader<T extends NirNodeType> = (fields: NirFieldReader, budget: NirBudget, depth: number) => NodeOf<T>;

/** One reader per node type; a type added to NirNode fails to compile here until it has one. */
const NODE_READERS: { readonly [T in NirNodeType]: NodeReader<T> } = {
  Input: (f) => ({ type: 'Input', shape: intVector(f, 'shape') }),
  Output: (f) => ({ type: 'Output', shape: intVector(f, 'shape') }),
  Affine: (f) => ({ type: 'Affine', weight: f.floatArray('weight'), bias: f.floatArray('bias') }),
  Linear: (f) => ({ type: 'Linear', weight: f.floatArray('weight') }),
  Scale: (f) => ({ type: 'Scale', scale: f.floatArray('scale') }),
  Threshold: (f) => ({ type: 'Threshold', threshold: f.floatArray('threshold') }),
  Flatten: (f) => ({ type: 'Flatten', start_dim: int(f, 'start_dim'), end_dim: int(f, 'end_dim'), input_type: flattenInputType(f) }),
  Conv1d: (f) => ({
    type: 'Conv1d',
    weight: f.floatArray('weight'),
    bias: f.optionalFloatArray('bias'),
    stride: int(f, 'stride'),
    padding: int(f, 'padding'),
    dilation: int(f, 'dilation'),
    groups: int(f, 'groups'),
    input_shape: f.has('input_shape') ? int(f, 'input_shape') : undefined,
  }),
  Conv2d: (f) => ({
    type: 'Conv2d',
    weight: f.floatArray('weight'),
    bias: f.optionalFloatArray('bias'),
    stride: pair(f, 'stride'),
    padding: pair(f, 'padding'),
    dilation: pair(f, 'dilation'),
    groups: int(f, 'groups'),
    input_shape: f.has('input_shape') ? pair(f, 'input_shape') : undefined,
  }),
  SumPool2d: (f) => ({ type: 'SumPool2d', kernel_size: pair(f, 'kernel_size'), stride: pair(f, 'stride'), padding: pair(f, 'padding') }),
  AvgPool2d: (f) => ({ type: 'AvgPool2d', kernel_size: pair(f, 'kernel_size'), stride: pair(f, 'stride'), padding: pair(f, 'padding') }),
  Delay: (f) => ({ type: 'Delay', delay: f.floatArray('delay') }),
  I: (f) => ({ type: 'I', r: f.floatArray('r') }),
  IF: (f) => ({ type: 'IF', r: f.floatArray('r'), v_threshold: f.floatArray('v_threshold'), v_reset: f.optionalFloatArray('v_reset') }),
  LI: (f) => ({ type: 'LI', tau: f.floatArray('tau'), r: f.floatArray('r'), v_leak: f.floatArray('v_leak') }),
  LIF: (f) => ({
    type: 'LIF',
    tau: f.floatArray('tau'),
    r: f.floatArray('r'),
    v_leak: f.floatArray('v_leak'),
    v_threshold: f.floatArray('v_threshold'),
    v_reset: f.optionalFloatArray('v_reset'),
  }),
  CubaLI: (f) => ({
    type: 'CubaLI',
    tau_syn: f.floatArray('tau_syn'),
    tau_mem: f.floatArray('tau_mem'),
    r: f.floatArray('r'),
    v_leak: f.floatArray('v_leak'),
    w_in: f.optionalFloatArray('w_in'),
  }),
  CubaLIF: (f) => ({
    type: 'CubaLIF',
    tau_syn: f.floatArray('tau_syn'),
    tau_mem: f.floatArray('tau_mem'),
    r: f.floatArray('r'),
    v_leak: f.floatArray('v_leak'),
    v_threshold: f.floatArray('v_threshold'),
    v_reset: f.optionalFloatArray('v_reset'),
    w_in: f.optionalFloatArray('w_in'),
  }),
  NIRGraph: readGraph,
};

/** Looked up by Map, so a `type` of `__proto__` or `constructor` is just an unknown type. */
const READERS_BY_TYPE: ReadonlyMap<string, NodeReader<NirNodeType>> = new Map(Object.entries(NODE_READERS) as [string, NodeReader<NirNodeType>][]);

function readNode(fields: NirFieldReader, budget: NirBudget, depth: number): NirNode {
  const type = fields.string('type');
  const reader = READERS_BY_TYPE.get(type);
  if (reader === undefined) {
    return fields.at.child('type').fail('unknown-op', `unknown NIR node type '${type}'`, `one of ${[...READERS_BY_TYPE.keys()].join(', ')}`);
  }
  const node = reader(fields, budget, depth);
  for (const name of IGNORED_FIELDS) if (fields.has(name) && !(type === 'Flatten' && name === 'input_type')) fields.skip(name);
  fields.expectAllRead();
  return node;
}

function readGraph(fields: NirFieldReader, budget: NirBudget, depth: number): NirGraph {
  expectDepth(depth, fields.at);
  const members = fields.group('nodes');
  const nodes = new Map<string, NirNode>();
  for (const name of members.names()) {
    const at = members.at.child(name);
    expectNodeName(name, at);
    budget.takeNode(at);
    nodes.set(name, readNode(members.group(name), budget, depth + 1));
  }
  return { type: 'NIRGraph', nodes, edges: readEdges(fields) };
}

/** `edges`: strings of shape [n, 2]; a graph without edges may store shape [0]. */
function readEdges(fields: NirFieldReader): [string, string][] {
  const { shape, values } = fields.strings('edges');
  const empty = shape.length === 1 && shape[0] === 0;
  if (!empty && (shape.length !== 2 || shape[1] !== 2)) {
    fields.at.child('edges').fail('shape', `'edges' must be pairs of node names`, 'shape [n, 2]', `shape [${shape.join(', ')}]`);
  }
  const edges: [string, string][] = [];
  for (let i = 0; i + 1 < values.length; i += 2) edges.push([values[i]!, values[i + 1]!]);
  return edges;
}

function int(fields: NirFieldReader, name: string): number {
  const { shape, values, at } = fields.integers(name);
  if (shape.length !== 0) at.fail('shape', `'${name}' must be a single integer`, 'shape []', `shape [${shape.join(', ')}]`);
  return values[0]!;
}

function intVector(fields: NirFieldReader, name: string): number[] {
  const { shape, values, at } = fields.integers(name);
  if (shape.length !== 1) at.fail('shape', `'${name}' must be a list of integers`, 'rank 1', `shape [${shape.join(', ')}]`);
  return values;
}

/** A 2-D hyper-parameter: two integers, or one that NIR applies to both axes. */
function pair(fields: NirFieldReader, name: string): number[] {
  const { shape, values, at } = fields.integers(name);
  if (shape.length === 0) return [values[0]!, values[0]!];
  if (shape.length !== 1 || shape[0] !== 2) at.fail('shape', `'${name}' must be two integers (one per spatial axis)`, 'shape [2] or []', `shape [${shape.join(', ')}]`);
  return values;
}

function flattenInputType(fields: NirFieldReader): number[] | undefined {
  if (!fields.has('input_type')) return undefined;
  if (!fields.isGroup('input_type')) return intVector(fields, 'input_type');
  const group = fields.group('input_type');
  const shape = intVector(group, 'input');
  group.expectAllRead();
  return shape;
}
