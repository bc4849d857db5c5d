import { topologicalOrder } from '../analysis.js';
import { fail } from '../errors.js';
import { leafName, nodeAs, type Graph, type Node, type NodeId } from '../graph.js';
import { initialValue } from '../init.js';
import { MAX_EVALUATION_BYTES } from '../limits.js';
import { cpuRules } from '../rules/index.js';
import type { CpuContext, CpuRule } from '../rules/rule-types.js';
import { formatType, isTupleType, sizeOf, type TensorType, type ValueType } from '../types.js';
import { feedToHostTensor, type FeedValue } from '../feed-check.js';
import { isHostTuple, type HostTensor, type HostValue, type Precision } from '../host-tensor.js';

export interface Feeds {
  readonly inputs?: Readonly<Record<string, FeedValue>>;
  readonly params?: Readonly<Record<string, FeedValue>>;
  /** Missing state starts from its initializer: a fresh episode. */
  readonly state?: Readonly<Record<string, FeedValue>>;
}

export interface EvaluateOptions {
  readonly precision?: Precision;
  /** Seed of the initializers of state that is not fed (default 0). */
  readonly seed?: number;
  /** Reject the first node that produces a NaN, naming it. */
  readonly checkNaN?: boolean;
}

/** Keyed by output and state names; null-prototype, so a name like `__proto__` is an ordinary key. */
export interface EvaluateResult {
  readonly outputs: Readonly<Record<string, HostTensor>>;
  /** The next value of every state, to feed to the next call. */
  readonly state: Readonly<Record<string, HostTensor>>;
}

type LeafKind = 'inputs' | 'params' | 'state';

function leafKind(node: Node): LeafKind | undefined {
  if (node.op === 'input') return 'inputs';
  if (node.op === 'param') return 'params';
  if (node.op === 'state') return 'state';
  return undefined;
}

/** Binds feeds to the graph's leaves, rejecting unknown names, wrong shapes and missing values. */
function bindFeeds(graph: Graph, feeds: Feeds, precision: Precision, seed: number): Map<NodeId, HostTensor> {
  const bound = new Map<NodeId, HostTensor>();
  const leaves: Record<LeafKind, readonly NodeId[]> = {
    inputs: graph.inputs,
    params: graph.params,
    state: graph.state.map((s) => s.node),
  };
  for (const kind of Object.keys(leaves) as LeafKind[]) {
    const given: Readonly<Record<string, FeedValue>> = feeds[kind] ?? {};
    const byName = new Map(leaves[kind].map((id) => [leafName(graph.nodes[id]!), graph.nodes[id]!]));
    for (const name of Object.keys(given)) {
      if (!byName.has(name)) {
        fail('feed', `${kind}.${name}`, `the graph has no ${kind === 'inputs' ? 'input' : kind === 'params' ? 'param' : 'state'} of this name`, [...byName.keys()].join(', ') || 'none', name);
      }
    }
    for (const [name, node] of byName) {
      // Own keys only: a plain feed object would otherwise answer `constructor` from its prototype.
      const value = Object.hasOwn(given, name) ? given[name] : undefined;
      const type = node.type as TensorType;
      if (value !== undefined) bound.set(node.id, feedToHostTensor(value, type, `${kind}.${name}`, precision));
      else if (kind === 'state') {
        const { init } = nodeAs(graph, node.id, 'state').attrs;
        bound.set(node.id, initialValue(init, type, precision, name, seed));
      } else fail('feed', `${kind}.${name}`, `missing ${kind === 'inputs' ? 'input' : 'param'} '${name}'`, formatType(type), 'nothing');
    }
  }
  return bound;
}

function hasNaN(value: HostValue): boolean {
  const tensors = isHostTuple(value) ? value.tuple : [value];
  return tensors.some((t) => t.type.dtype === 'f32' && t.data.some((x) => Number.isNaN(x)));
}

/** Runs the nodes `order` needs on bound leaves; returns every computed value. */
function run(graph: Graph, leaves: Map<NodeId, HostTensor>, precision: Precision, checkNaN: boolean, order: readonly NodeId[]): Map<NodeId, HostValue> {
  const values = new Map<NodeId, HostValue>();
  for (const id of order) {
    const node = graph.nodes[id]!;
    const inputs = node.inputs.map((i) => values.get(i)!);
    if (node.op !== 'tupleGet') {
      const tupleAt = inputs.findIndex(isHostTuple);
      if (tupleAt >= 0) fail('dtype', node.name, `input ${tupleAt} is a tuple; read one element with tupleGet`, 'a tensor', 'a tuple');
    }
    const ctx: CpuContext = {
      where: node.name,
      precision,
      leafValue: () => {
        const v = leaves.get(id);
        if (v === undefined) fail('feed', node.name, 'leaf has no value', 'a fed or initial value', 'nothing');
        return v;
      },
      runSubgraph: (sub, subInputs) => runPositional(sub, subInputs, precision, checkNaN),
    };
    const rule = cpuRules[node.op] as CpuRule<typeof node.op>;
    const value = rule(inputs as never, node.attrs as never, node.type, ctx);
    if (checkNaN && hasNaN(value)) fail('nan', node.name, `${node.op} produced NaN`, 'finite values', 'NaN');
    values.set(id, value);
  }
  return values;
}

/** Execution order of each graph, computed once: a scan body runs T times with the same order. */
const orderCache = new WeakMap<Graph, NodeId[]>();

function executionOrder(graph: Graph): NodeId[] {
  let order = orderCache.get(graph);
  if (order === undefined) {
    order = topologicalOrder(graph);
    orderCache.set(graph, order);
  }
  return order;
}

// --- memory bound ------------------------------------------------------------------------------

function bytesPerElement(dtype: TensorType['dtype'], precision: Precision): number {
  if (dtype === 'bool') return 1;
  return dtype === 'f32' && precision === 'f64' ? 8 : 4;
}

function valueBytes(type: ValueType, precision: Precision): number {
  const tensors = isTupleType(type) ? type.tuple : [type];
  return tensors.reduce((sum, t) => sum + sizeOf(t.shape) * bytesPerElement(t.dtype, precision), 0);
}

/**
 * Rejects a call whose values would exceed MAX_EVALUATION_BYTES, naming the node at which the
 * sum crosses it, before anything is allocated. Every value of a call stays alive until it
 * returns (a tupleGet is a view of its tuple, so adds nothing); a nested graph (scan body,
 * customVjp forward) adds one call's worth, since each step's values are dropped before the
 * next. Returns the bytes counted so far.
 */
function checkEvaluationBytes(graph: Graph, precision: Precision, before = 0): number {
  let total = before;
  for (const id of executionOrder(graph)) {
    const node = graph.nodes[id]!;
    if (node.op !== 'tupleGet') total += valueBytes(node.type, precision);
    if (total > MAX_EVALUATION_BYTES) {
      fail('limit', node.name, `evaluating the graph up to this node needs ${total} bytes, over the limit of ${MAX_EVALUATION_BYTES} bytes per evaluation`, `<= ${MAX_EVALUATION_BYTES} bytes`, `${total} bytes (${precision})`);
    }
    if (node.op === 'scan') total = checkEvaluationBytes(node.attrs.body, precision, total);
    if (node.op === 'customVjp') total = checkEvaluationBytes(node.attrs.forward, precision, total);
  }
  return total;
}

/** Evaluates a subgraph whose inputs are given by position; returns its outputs in order. */
export function runPositional(graph: Graph, inputs: readonly HostTensor[], precision: Precision, checkNaN = false): HostTensor[] {
  if (inputs.length !== graph.inputs.length) {
    fail('arity', 'subgraph', 'subgraph called with the wrong number of inputs', `${graph.inputs.length}`, `${inputs.length}`);
  }
  const leaves = new Map(graph.inputs.map((id, i) => [id, inputs[i]!]));
  const values = run(graph, leaves, precision, checkNaN, executionOrder(graph));
  return graph.outputs.map((o) => values.get(o.node) as HostTensor);
}

/**
 * The CPU reference interpreter: runs a graph on host arrays. Correct, not fast; every backend
 * is checked against it.
 */
export function evaluate(graph: Graph, feeds: Feeds = {}, options: EvaluateOptions = {}): EvaluateResult {
  const precision = options.precision ?? 'f32';
  checkEvaluationBytes(graph, precision);
  const leaves = bindFeeds(graph, feeds, precision, options.seed ?? 0);
  const values = run(graph, leaves, precision, options.checkNaN ?? false, executionOrder(graph));
  const outputs: Record<string, HostTensor> = Object.create(null);
  for (const o of graph.outputs) {
    const v = values.get(o.node)!;
    if (isHostTuple(v) || isTupleType(graph.nodes[o.node]!.type)) fail('interface', o.name, 'an output must be a tensor, not a tuple', 'a tensor', 'a tuple');
    outputs[o.name] = v;
  }
  const state: Record<string, HostTensor> = Object.create(null);
  for (const s of graph.state) state[leafName(graph.nodes[s.node]!)] = values.get(s.update) as HostTensor;
  return { outputs, state };
}
