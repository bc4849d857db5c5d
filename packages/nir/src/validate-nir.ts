import { isReservedName } from '@spikeflow/core';
import type { NirArray, NirDocument, NirGraph, NirNode, NirNodeType } from './nir-graph.js';
import { expectDepth, NirBudget } from './nir-limits.js';
import { documentRoot, type NirLocation } from './nir-location.js';

/**
 * The checks a NirDocument must pass, whether it was read from a file or built in memory and is
 * about to be written: names, array shapes and dtypes, finiteness, integer ranges, edges, and
 * the bounds of nir-limits.ts. The first violation is one SpikeflowError naming `source`, the
 * node path and the field.
 *
 * Parameters of one neuron node must have one shape, except that a single-value (rank-0) array
 * stands for every neuron, as NIR's numpy semantics broadcast it.
 */
export function validateNirDocument(document: NirDocument, source: string): void {
  const root = documentRoot(source);
  if (typeof document.version !== 'string' || document.version === '') {
    root.child('version').fail('schema', 'the NIR version must be a non-empty string', "e.g. '0.2.0'", String(document.version));
  }
  validateNode(document.graph, root.child('node'), new NirBudget(), 0);
}

/** A node name must be usable as an HDF5 link name and harmless as a key anywhere it travels. */
export function expectNodeName(name: string, at: NirLocation): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) {
    at.fail('schema', `invalid node name '${name}'`, "a non-empty name without '/', other than '.' and '..'", `'${name}'`);
  }
  if (isReservedName(name)) {
    at.fail('schema', `reserved node name '${name}': it names a member of every JavaScript object`, 'a name other than __proto__, constructor or another Object.prototype member', `'${name}'`);
  }
}

type NodeOf<T extends NirNodeType> = Extract<NirNode, { type: T }>;
type NodeCheck<T extends NirNodeType> = (node: NodeOf<T>, at: NirLocation, budget: NirBudget, depth: number) => void;

/** One check per node type; a type added to NirNode fails to compile here until it has one. */
const NODE_CHECKS: { readonly [T in NirNodeType]: NodeCheck<T> } = {
  Input: (n, at) => expectShape(n.shape, at.child('shape')),
  Output: (n, at) => expectShape(n.shape, at.child('shape')),
  Affine: (n, at, b) => {
    const weight = expectRank(n.weight, 2, at.child('weight'), b);
    const bias = expectRank(n.bias, 1, at.child('bias'), b);
    if (bias.shape[0] !== weight.shape[0]) {
      at.child('bias').fail('shape', `the bias must have one entry per row of the weight [out, in]`, `length ${weight.shape[0]}`, `length ${bias.shape[0]}`);
    }
  },
  Linear: (n, at, b) => void expectRank(n.weight, 2, at.child('weight'), b),
  Scale: (n, at, b) => expectArray(n.scale, at.child('scale'), b),
  Threshold: (n, at, b) => expectArray(n.threshold, at.child('threshold'), b),
  Flatten: checkFlatten,
  Conv1d: (n, at, b) => {
    checkConvWeightAndBias(n.weight, n.bias, 3, n.groups, at, b);
    expectInteger(n.stride, 1, at.child('stride'));
    expectInteger(n.padding, 0, at.child('padding'));
    expectInteger(n.dilation, 1, at.child('dilation'));
    if (n.input_shape !== undefined) expectInteger(n.input_shape, 1, at.child('input_shape'));
  },
  Conv2d: (n, at, b) => {
    checkConvWeightAndBias(n.weight, n.bias, 4, n.groups, at, b);
    expectIntegers(n.stride, 2, 1, at.child('stride'));
    expectIntegers(n.padding, 2, 0, at.child('padding'));
    expectIntegers(n.dilation, 2, 1, at.child('dilation'));
    if (n.input_shape !== undefined) expectIntegers(n.input_shape, 2, 1, at.child('input_shape'));
  },
  SumPool2d: (n, at) => checkPool(n, at),
  AvgPool2d: (n, at) => checkPool(n, at),
  Delay: (n, at, b) => {
    expectArray(n.delay, at.child('delay'), b);
    if (n.delay.data.some((d) => d < 0)) at.child('delay').fail('attr', 'a delay cannot be negative', 'delays >= 0');
  },
  I: (n, at, b) => checkNeuron({ r: n.r }, at, b),
  IF: (n, at, b) => checkNeuron({ r: n.r, v_threshold: n.v_threshold, v_reset: n.v_reset }, at, b),
  LI: (n, at, b) => checkNeuron({ tau: n.tau, r: n.r, v_leak: n.v_leak }, at, b),
  LIF: (n, at, b) => checkNeuron({ tau: n.tau, r: n.r, v_leak: n.v_leak, v_threshold: n.v_threshold, v_reset: n.v_reset }, at, b),
  CubaLI: (n, at, b) => checkNeuron({ tau_syn: n.tau_syn, tau_mem: n.tau_mem, r: n.r, v_leak: n.v_leak, w_in: n.w_in }, at, b),
  CubaLIF: (n, at, b) =>
    checkNeuron({ tau_syn: n.tau_syn, tau_mem: n.tau_mem, r: n.r, v_leak: n.v_leak, v_threshold: n.v_threshold, v_reset: n.v_reset, w_in: n.w_in }, at, b),
  NIRGraph: checkGraph,
};

const CHECKS_BY_TYPE: ReadonlyMap<string, NodeCheck<NirNodeType>> = new Map(Object.entries(NODE_CHECKS) as [string, NodeCheck<NirNodeType>][]);

function validateNode(node: NirNode, at: NirLocation, budget: NirBudget, depth: number): void {
  const check = CHECKS_BY_TYPE.get(node.type);
  if (check === undefined) return at.child('type').fail('unknown-op', `unknown NIR node type '${String(node.type)}'`, `one of ${[...CHECKS_BY_TYPE.keys()].join(', ')}`);
  check(node, at, budget, depth);
}

function checkGraph(graph: NirGraph, at: NirLocation, budget: NirBudget, depth: number): void {
  expectDepth(depth, at);
  if (!(graph.nodes instanceof Map)) at.child('nodes').fail('schema', `'nodes' must be a Map from names to nodes`);
  for (const [name, node] of graph.nodes) {
    const nodeAt = at.child('nodes').child(name);
    expectNodeName(name, nodeAt);
    budget.takeNode(nodeAt);
    validateNode(node, nodeAt, budget, depth + 1);
  }
  graph.edges.forEach((edge, i) => {
    const edgeAt = at.child('edges');
    if (!Array.isArray(edge) || edge.length !== 2 || typeof edge[0] !== 'string' || typeof edge[1] !== 'string') {
      edgeAt.fail('schema', `edge ${i} must be a pair of node names`, '[from, to]', JSON.stringify(edge));
    }
    for (const end of edge) {
      if (!graph.nodes.has(end)) {
        edgeAt.fail('missing-node', `edge ${i} [${edge[0]} -> ${edge[1]}] names '${end}', which is not a node of this graph`, `one of ${[...graph.nodes.keys()].join(', ')}`, `'${end}'`);
      }
    }
  });
}

/** The parameters of one neuron node: present ones must agree in shape (rank 0 broadcasts). */
function checkNeuron(params: Record<string, NirArray | undefined>, at: NirLocation, budget: NirBudget): void {
  let reference: { field: string; shape: readonly number[] } | undefined;
  for (const [field, array] of Object.entries(params)) {
    if (array === undefined) continue;
    expectArray(array, at.child(field), budget);
    if (array.shape.length === 0) continue;
    if (reference === undefined) {
      reference = { field, shape: array.shape };
    } else if (!sameShape(array.shape, reference.shape)) {
      at.child(field).fail('shape', `'${field}' and '${reference.field}' of one neuron node must have the same shape`, formatShape(reference.shape), formatShape(array.shape));
    }
  }
}

function checkConvWeightAndBias(weight: NirArray, bias: NirArray | undefined, rank: number, groups: number, at: NirLocation, budget: NirBudget): void {
  const w = expectRank(weight, rank, at.child('weight'), budget);
  if (w.shape.some((d) => d === 0)) {
    at.child('weight').fail('shape', 'a convolution weight [out, in/groups, kernel...] cannot have a zero dimension', 'every dimension >= 1', formatShape(w.shape));
  }
  expectInteger(groups, 1, at.child('groups'));
  if (w.shape[0]! % groups !== 0) at.child('groups').fail('attr', `${groups} groups do not divide ${w.shape[0]} output channels`, `a divisor of ${w.shape[0]}`, String(groups));
  if (bias === undefined) return;
  const b = expectRank(bias, 1, at.child('bias'), budget);
  if (b.shape[0] !== w.shape[0]) at.child('bias').fail('shape', 'the bias must have one entry per output channel', `length ${w.shape[0]}`, `length ${b.shape[0]}`);
}

function checkPool(n: NodeOf<'SumPool2d' | 'AvgPool2d'>, at: NirLocation): void {
  expectIntegers(n.kernel_size, 2, 1, at.child('kernel_size'));
  expectIntegers(n.stride, 2, 1, at.child('stride'));
  expectIntegers(n.padding, 2, 0, at.child('padding'));
}

function checkFlatten(n: NodeOf<'Flatten'>, at: NirLocation): void {
  expectInteger(n.start_dim, Number.MIN_SAFE_INTEGER, at.child('start_dim'));
  expectInteger(n.end_dim, Number.MIN_SAFE_INTEGER, at.child('end_dim'));
  if (n.input_type === undefined) return;
  expectShape(n.input_type, at.child('input_type'));
  const rank = n.input_type.length;
  const dims = [['start_dim', n.start_dim], ['end_dim', n.end_dim]] as const;
  for (const [field, dim] of dims) {
    if (dim < -rank || dim >= rank) at.child(field).fail('attr', `'${field}' is outside the input's ${rank} dimensions`, `${-rank} <= ${field} < ${rank}`, String(dim));
  }
  const start = n.start_dim < 0 ? n.start_dim + rank : n.start_dim;
  const end = n.end_dim < 0 ? n.end_dim + rank : n.end_dim;
  if (start > end) at.child('end_dim').fail('attr', `'end_dim' comes before 'start_dim'`, `end_dim >= start_dim (${start})`, String(end));
}

/** A NirArray whose dtype, data and shape agree, with every value finite. */
function expectArray(array: NirArray, at: NirLocation, budget: NirBudget): void {
  const typed = (array.dtype === 'float32' && array.data instanceof Float32Array) || (array.dtype === 'float64' && array.data instanceof Float64Array);
  if (!typed) at.fail('dtype', 'the data must match the dtype', `a ${array.dtype === 'float64' ? 'Float64Array' : 'Float32Array'} for dtype '${String(array.dtype)}'`, String(array.data?.constructor?.name));
  if (!Array.isArray(array.shape) || !array.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    at.fail('shape', 'a shape must be a list of non-negative integers', undefined, JSON.stringify(array.shape));
  }
  const size = array.shape.reduce((a, b) => a * b, 1);
  budget.takeElements(size, at);
  if (size !== array.data.length) at.fail('shape', `shape ${formatShape(array.shape)} holds ${size} values`, `${size} values`, `${array.data.length}`);
  const bad = array.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) at.fail('nan', `a non-finite value at flat index ${bad}`, 'finite values', String(array.data[bad]));
}

function expectRank(array: NirArray, rank: number, at: NirLocation, budget: NirBudget): NirArray {
  expectArray(array, at, budget);
  if (array.shape.length !== rank) at.fail('shape', `must be a ${rank}-D array`, `rank ${rank}`, `shape ${formatShape(array.shape)}`);
  return array;
}

function expectInteger(value: number, min: number, at: NirLocation): void {
  if (!Number.isSafeInteger(value) || value < min) at.fail('attr', `must be an integer >= ${min}`, `an integer >= ${min}`, String(value));
}

function expectIntegers(values: readonly number[], length: number, min: number, at: NirLocation): void {
  if (!Array.isArray(values) || values.length !== length) at.fail('shape', `must be ${length} integers`, `${length} integers`, JSON.stringify(values));
  values.forEach((v) => expectInteger(v, min, at));
}

/** A tensor shape (Input, Output, Flatten's input): integers >= 1. */
function expectShape(shape: readonly number[], at: NirLocation): void {
  if (!Array.isArray(shape)) at.fail('shape', 'must be a list of integers', undefined, JSON.stringify(shape));
  shape.forEach((d) => expectInteger(d, 1, at));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
