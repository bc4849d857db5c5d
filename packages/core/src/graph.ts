import { freeze } from 'immer';
import type { BinaryOp, CompareOp, Initializer, LogicalOp, NoAttrs, RandomAttrs, RandomOp, ReduceAttrs, ReduceOp, UnaryOp } from './primitives.js';
import type { DType } from './dtype.js';
import type { NamedSurrogate } from './surrogate.js';
import type { Shape, ValueType } from './types.js';

// The IR's types live together: a node's attrs may hold graphs (a scan's body, a customVjp's halves,
// a custom surrogate's derivative), so Graph, Node, PrimitiveAttrs and Surrogate are one recursive type.

export type NodeId = string;

/** How `spike` differentiates: a named family, or a user's derivative g'(x) traced as a graph. */
export type Surrogate =
  | NamedSurrogate
  /** A user's derivative g'(x): a graph with one f32 input x and one output of x's shape. */
  | { readonly kind: 'custom'; readonly derivative: Graph };

/**
 * Attributes of every primitive. This interface IS the primitive set: every rule table is typed
 * `{ [P in Primitive]: Rule<P> }`, so adding a key here fails type-checking until each table has it.
 */
export interface PrimitiveAttrs
  extends Record<UnaryOp, NoAttrs>,
    Record<BinaryOp, NoAttrs>,
    Record<CompareOp, NoAttrs>,
    Record<LogicalOp, NoAttrs>,
    Record<ReduceOp, ReduceAttrs>,
    Record<RandomOp, RandomAttrs> {
  // Leaves: the graph's interface.
  /** Fed on every call. */
  input: { readonly name: string; readonly shape: Shape; readonly dtype: DType };
  /** Trainable; lives with the model. */
  param: { readonly name: string; readonly shape: Shape; readonly dtype: DType; readonly init: Initializer };
  /** Carried between calls; its next value is named in `Graph.state`. */
  state: { readonly name: string; readonly shape: Shape; readonly dtype: DType; readonly init: Initializer };
  /** A literal: `value` is one number (filled) or every element in row-major order. */
  constant: { readonly shape: Shape; readonly dtype: DType; readonly value: number | readonly number[] };

  // Elementwise.
  /** `where(cond, a, b)`: a where cond is true, else b; all three broadcast. */
  where: NoAttrs;
  cast: { readonly dtype: DType };
  /** Heaviside step: 1 where x >= 0 (SpikingJelly's convention); the gradient uses `surrogate`. */
  spike: { readonly surrogate: Surrogate };

  // Shape.
  reshape: { readonly shape: Shape };
  transpose: { readonly perm: readonly number[] };
  broadcast: { readonly shape: Shape };
  /** Per axis: start (inclusive), end (exclusive), step (>= 1); all already clamped to the shape. */
  slice: { readonly starts: readonly number[]; readonly ends: readonly number[]; readonly steps: readonly number[] };
  concat: { readonly axis: number };
  /** Per axis: [before, after] amounts of `value`. */
  pad: { readonly pads: readonly (readonly [number, number])[]; readonly value: number };
  /** numpy `take(x, indices, axis)`: out shape = x[:axis] + indices + x[axis+1:]. */
  gather: { readonly axis: number };
  /** Integer indices -> f32 one-hot vectors along a new last axis; out-of-range indices give zeros. */
  oneHot: { readonly depth: number };

  // Linear algebra.
  /** Batched `[..., M, K] @ [..., K, N]` with broadcast batch dims; operands may be read transposed. */
  matmul: { readonly transposeA: boolean; readonly transposeB: boolean };
  /** x `[N, Cin, W]`, w `[Cout, Cin/groups, K]` -> `[N, Cout, Wout]`. */
  conv1d: {
    readonly stride: number;
    readonly padding: readonly [number, number];
    readonly dilation: number;
    readonly groups: number;
  };
  /** x `[N, Cin, H, W]`, w `[Cout, Cin/groups, KH, KW]` -> `[N, Cout, Hout, Wout]`. */
  conv2d: {
    readonly stride: readonly [number, number];
    readonly padding: readonly [readonly [number, number], readonly [number, number]];
    readonly dilation: readonly [number, number];
    readonly groups: number;
  };

  // Control and autodiff structure.
  /**
   * `jax.lax.scan`. Inputs: carries, then sequences (sliced along axis 0), then constants.
   * The body's inputs come in that order (one slice per sequence); its outputs are the new
   * carries, then per-step outputs, which the scan stacks along a new axis 0.
   * Output: a tuple of the final carries, then the stacked outputs.
   */
  scan: {
    readonly body: Graph;
    readonly length: number;
    readonly numCarries: number;
    readonly numSequences: number;
    readonly reverse: boolean;
  };
  /**
   * A forward graph with the user's backward graph. `forward` maps the primal inputs to the
   * `numOutputs` outputs followed by residuals; `backward` maps (residuals..., output cotangents...)
   * to one cotangent per primal input. Output: a tuple of the `numOutputs` outputs.
   */
  customVjp: { readonly forward: Graph; readonly backward: Graph; readonly numOutputs: number };
  /** Identity forward; zero gradient. */
  stopGradient: NoAttrs;
  /** Reads output `index` of a tuple-typed node. */
  tupleGet: { readonly index: number };
}

export type Primitive = keyof PrimitiveAttrs;


/** One primitive application. Plain JSON-able data, deeply frozen once in a graph. */
export interface Node<P extends Primitive = Primitive> {
  readonly id: NodeId;
  readonly op: P;
  readonly inputs: readonly NodeId[];
  readonly attrs: PrimitiveAttrs[P];
  readonly type: ValueType;
  /** Scope path such as `lsnn/rec/alif/add`, so errors and plots speak the user's words. */
  readonly name: string;
}

/** A node whose op is known, for rules that read typed attrs. */
export type AnyNode = { [P in Primitive]: Node<P> }[Primitive];

export interface NamedOutput {
  readonly name: string;
  readonly node: NodeId;
}

export interface StateBinding {
  /** The `state` leaf read by this call. */
  readonly node: NodeId;
  /** The node whose value becomes that state on the next call. */
  readonly update: NodeId;
}

/**
 * An immutable dataflow graph. Its interface: `inputs` (fed per call, in order), `params`
 * (trainable), `state` (carried between calls) and named `outputs` (in order). Edit it only
 * through immer's `produce`; every transform returns a new graph sharing structure with the old.
 */
export interface Graph {
  readonly nodes: Readonly<Record<NodeId, AnyNode>>;
  readonly inputs: readonly NodeId[];
  readonly params: readonly NodeId[];
  readonly state: readonly StateBinding[];
  readonly outputs: readonly NamedOutput[];
}

/** Deep-freezes a freshly built graph (immer's freeze), so no one can mutate it in place. */
export function freezeGraph<G extends Graph>(graph: G): G {
  return freeze(graph, true);
}

export function nodeOf(graph: Graph, id: NodeId): Node {
  const node = graph.nodes[id];
  if (node === undefined) throw new Error(`internal: node '${id}' is not in the graph`);
  return node;
}

/** The node `id`, typed by its op; throws naming the node when its op is another. */
export function nodeAs<P extends Primitive>(graph: Graph, id: NodeId, op: P): Node<P> {
  const node = nodeOf(graph, id);
  if (node.op !== op) throw new Error(`internal: node '${node.name}' is a ${node.op}, not a ${op}`);
  return node as Node<P>;
}

/** Whether `node` applies `op`; narrows its attrs to that op's. */
export function isOp<P extends Primitive>(node: Node, op: P): node is Node<P> {
  return node.op === op;
}

/** The nodes of `graph` that apply `op`, typed by it, in the graph's node order. */
export function nodesOf<P extends Primitive>(graph: Graph, op: P): Node<P>[] {
  return Object.values(graph.nodes).filter((node) => isOp(node, op));
}

/** The leaves that form a graph's interface and carry a name. */
export type NamedLeafOp = 'input' | 'param' | 'state';

/** Whether `node` is a leaf of the graph's interface (input, param or state), which has a name. */
export function isLeaf(node: Node): node is Node<NamedLeafOp> {
  return node.op === 'input' || node.op === 'param' || node.op === 'state';
}

/** The interface name of a leaf node (an input, param or state); throws for any other op. */
export function leafName(node: Node): string {
  if (!isLeaf(node)) throw new Error(`internal: node '${node.name}' is a ${node.op}, not a leaf`);
  return node.attrs.name;
}

export function outputNode(graph: Graph, name: string): Node | undefined {
  const out = graph.outputs.find((o) => o.name === name);
  return out === undefined ? undefined : graph.nodes[out.node];
}
