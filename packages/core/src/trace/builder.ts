import type { DType } from '../dtype.js';
import { eliminateDeadNodes } from '../analysis.js';
import { fail } from '../errors.js';
import { freezeGraph, leafName, type AnyNode, type Graph, type Node, type NodeId, type StateBinding, type Primitive, type PrimitiveAttrs, type Surrogate } from '../graph.js';
import type { BinaryOp, CompareOp, Initializer, LogicalOp, ReduceOp, UnaryOp } from '../primitives.js';
import { SURROGATE_DEFAULTS, type SurrogateName } from '../surrogate.js';
import { formatType, isTupleType, sameShape, sizeOf, type Shape, type TensorType, type ValueType } from '../types.js';
import { inferNodeType } from '../validate.js';

export type TensorLike = Tensor | number;

/** A user surrogate: a named family (with its parameter) or a derivative g'(x) traced from primitives. */
export type SurrogateChoice =
  | SurrogateName
  | { readonly kind: SurrogateName; readonly alpha?: number }
  | { readonly derivative: (b: GraphBuilder, x: Tensor) => Tensor };

export interface ScanOptions {
  /** Steps; defaults to the length of axis 0 of the sequences. */
  readonly length?: number;
  readonly carries: readonly Tensor[];
  readonly sequences?: readonly Tensor[];
  readonly consts?: readonly Tensor[];
  readonly reverse?: boolean;
  /** One step: from the carries, this step's slices and the constants, the new carries and per-step outputs. */
  readonly body: (
    b: GraphBuilder,
    carries: Tensor[],
    slices: Tensor[],
    consts: Tensor[],
  ) => { readonly carries: readonly Tensor[]; readonly outputs?: readonly Tensor[] };
}

export interface ScanResult {
  /** Final carries. */
  readonly carries: Tensor[];
  /** Per-step outputs stacked along a new axis 0 (time). */
  readonly outputs: Tensor[];
}

export interface CustomVjpOptions {
  readonly forward: (b: GraphBuilder, inputs: Tensor[]) => { readonly outputs: readonly Tensor[]; readonly residuals?: readonly Tensor[] };
  /** From the residuals and one cotangent per output, one cotangent per input. */
  readonly backward: (b: GraphBuilder, residuals: Tensor[], cotangents: Tensor[]) => readonly Tensor[];
}

/**
 * Records primitive applications into a graph while user code runs over symbolic tensors,
 * as JAX traces Python. Every node's type is inferred (and bad shapes rejected) the moment it is
 * added, with the current scope path in the error.
 */
export class GraphBuilder {
  private readonly nodes: Record<NodeId, AnyNode> = {};
  private readonly inputIds: NodeId[] = [];
  private readonly paramIds: NodeId[] = [];
  private readonly stateBindings: { node: NodeId; update: NodeId }[] = [];
  private readonly scopes: string[];
  private readonly usedNames = new Set<string>();
  private nextId = 0;
  /** Outer tensors captured by a subgraph (scan body): outer tensor id -> inner input. */
  private readonly captures = new Map<string, { outer: Tensor; inner: Tensor }>();

  constructor(
    scopes: readonly string[] = [],
    /** The builder this one traces a subgraph for; tensors of ancestors are captured as inputs. */
    private readonly parent?: GraphBuilder,
    private readonly allowCapture = true,
  ) {
    this.scopes = [...scopes];
  }

  // --- scopes and names -------------------------------------------------------------------

  /** Runs `fn` with `name` pushed on the scope path, so its nodes are named `.../name/...`. */
  scope<T>(name: string, fn: () => T): T {
    if (name.length === 0 || name.includes('/')) fail('attr', this.path(), 'a scope name must be non-empty and contain no "/"', 'e.g. "layer1"', JSON.stringify(name));
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Runs `fn` under a whole scope path such as `grad/layer1/matmul` (transforms name nodes after their source). */
  scopePath<T>(path: string, fn: () => T): T {
    const parts = path.split('/').filter((p) => p.length > 0);
    const depth = this.scopes.length;
    this.scopes.push(...parts);
    try {
      return fn();
    } finally {
      this.scopes.length = depth;
    }
  }

  /** Current scope path. */
  path(): string {
    return this.scopes.join('/') || '<root>';
  }

  private uniqueName(base: string): string {
    const stem = [...this.scopes, base].join('/');
    let name = stem;
    for (let k = 1; this.usedNames.has(name); k++) name = `${stem}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  // --- nodes ------------------------------------------------------------------------------

  /** Adds one primitive application; its type is inferred now, so errors name this node. */
  op<P extends Primitive>(op: P, inputs: readonly TensorLike[], attrs: PrimitiveAttrs[P], label: string = op): Tensor {
    return this.addNode(op, inputs, attrs, this.uniqueName(label));
  }

  private addNode<P extends Primitive>(op: P, inputs: readonly TensorLike[], attrs: PrimitiveAttrs[P], name: string): Tensor {
    // A number in `where` takes the dtype of the branches, not of the bool condition.
    const siblings = op === 'where' ? inputs.slice(1) : inputs;
    const ids = inputs.map((t) => this.toTensor(t, siblings).id);
    const type = inferNodeType(op, ids.map((id) => this.nodes[id]!.type), attrs, name);
    const id = `n${this.nextId++}`;
    this.nodes[id] = { id, op, inputs: ids, attrs, type, name } as AnyNode;
    return new Tensor(this, id);
  }

  /** The node behind a tensor of this builder. */
  nodeOf(id: NodeId): Node {
    const node = this.nodes[id];
    if (node === undefined) fail('missing-node', this.path(), `tensor '${id}' does not belong to this graph`);
    return node;
  }

  typeOf(id: NodeId): ValueType {
    const node = this.nodes[id];
    if (node === undefined) fail('missing-node', this.path(), `tensor '${id}' does not belong to this graph`);
    return node.type;
  }

  /** A number becomes a scalar constant of the dtype of the other operands (f32 when none). */
  private toTensor(t: TensorLike, siblings: readonly TensorLike[]): Tensor {
    if (typeof t === 'number') {
      const other = siblings.find((s): s is Tensor => typeof s !== 'number');
      const type = other?.type;
      const dtype = type !== undefined && !isTupleType(type) ? type.dtype : 'f32';
      return this.constant(t, [], dtype);
    }
    return this.own(t);
  }

  /** A tensor of this builder; one of an ancestor's is captured as an extra subgraph input. */
  own(t: Tensor): Tensor {
    if (t.builder === this) return t;
    if (!this.isDescendantOf(t.builder)) fail('interface', this.path(), 'a tensor from another graph was used here');
    if (!this.allowCapture) {
      fail('custom-vjp', this.path(), 'customVjp halves cannot use outer tensors; pass them as inputs (forward) or residuals (backward)');
    }
    const outer = this.parent!.own(t);
    const key = outer.id;
    const hit = this.captures.get(key);
    if (hit !== undefined) return hit.inner;
    const inner = this.input(`capture${this.captures.size}`, outer.tensorType.shape, outer.tensorType.dtype);
    this.captures.set(key, { outer, inner });
    return inner;
  }

  private isDescendantOf(b: GraphBuilder): boolean {
    for (let p = this.parent; p !== undefined; p = p.parent) if (p === b) return true;
    return false;
  }

  // --- leaves -----------------------------------------------------------------------------

  /** Interface names must be unique per kind, or feeds would be ambiguous. */
  private expectNewLeafName(ids: readonly NodeId[], name: string, kind: string): void {
    if (ids.some((id) => leafName(this.nodes[id]!) === name)) {
      fail('interface', name, `the graph already has ${kind === 'input' ? 'an' : 'a'} ${kind} of this name`, 'a unique name', name);
    }
  }

  input(name: string, shape: Shape, dtype: DType = 'f32'): Tensor {
    this.expectNewLeafName(this.inputIds, name, 'input');
    const t = this.op('input', [], { name, shape: [...shape], dtype }, name);
    this.inputIds.push(t.id);
    return t;
  }

  /**
   * The input `name`, declared on first use and returned again after, so several layers can share
   * one graph-wide input (dropout's `training` flag, say). Every use must agree on its type.
   */
  sharedInput(name: string, shape: Shape, dtype: DType = 'f32'): Tensor {
    const id = this.inputIds.find((i) => leafName(this.nodes[i]!) === name);
    if (id === undefined) return this.input(name, shape, dtype);
    const declared = this.nodes[id]!.type as TensorType;
    if (!sameShape(declared.shape, shape) || declared.dtype !== dtype) {
      fail('interface', name, 'the graph already has an input of this name with another type', formatType({ shape, dtype }), formatType(declared));
    }
    return new Tensor(this, id);
  }

  param(name: string, shape: Shape, init: Initializer, dtype: DType = 'f32'): Tensor {
    this.expectNewLeafName(this.paramIds, this.qualified(name), 'param');
    const t = this.op('param', [], { name: this.qualified(name), shape: [...shape], dtype, init }, name);
    this.paramIds.push(t.id);
    return t;
  }

  /** State carried between calls; give its next value with `setState`. Unset, it keeps its value. */
  state(name: string, shape: Shape, init: Initializer = { kind: 'zeros' }, dtype: DType = 'f32'): Tensor {
    this.expectNewLeafName(this.stateBindings.map((s) => s.node), this.qualified(name), 'state');
    const t = this.op('state', [], { name: this.qualified(name), shape: [...shape], dtype, init }, name);
    this.stateBindings.push({ node: t.id, update: t.id });
    return t;
  }

  setState(state: Tensor, next: Tensor): void {
    const binding = this.stateBindings.find((s) => s.node === state.id);
    if (binding === undefined) fail('interface', this.path(), 'setState takes a tensor made by state()');
    binding.update = this.own(next).id;
  }

  /** Param and state names carry their scope, so two layers may both have a `w`. */
  private qualified(name: string): string {
    return [...this.scopes, name].join('/');
  }

  constant(value: number | readonly number[], shape: Shape = [], dtype: DType = 'f32'): Tensor {
    return this.op('constant', [], { shape: [...shape], dtype, value: typeof value === 'number' ? value : [...value] }, 'const');
  }

  // --- multi-input primitives ---------------------------------------------------------------

  where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
    return this.op('where', [cond, a, b], {});
  }

  concat(tensors: readonly Tensor[], axis: number): Tensor {
    return this.op('concat', tensors, { axis });
  }

  private counter(counter: Tensor | number): Tensor {
    return typeof counter === 'number' ? this.constant(counter, [], 'u32') : counter;
  }

  uniform(shape: Shape, seed: number, counter: Tensor | number = 0): Tensor {
    return this.op('uniform', [this.counter(counter)], { shape: [...shape], seed });
  }

  normal(shape: Shape, seed: number, counter: Tensor | number = 0): Tensor {
    return this.op('normal', [this.counter(counter)], { shape: [...shape], seed });
  }

  bernoulli(p: TensorLike, shape: Shape, seed: number, counter: Tensor | number = 0): Tensor {
    return this.op('bernoulli', [this.counter(counter), typeof p === 'number' ? this.constant(p) : p], { shape: [...shape], seed });
  }

  /** Resolves a surrogate choice into the JSON attr of `spike`, tracing a custom derivative. */
  surrogate(choice: SurrogateChoice, x: TensorType): Surrogate {
    if (typeof choice === 'string') return { kind: choice, alpha: SURROGATE_DEFAULTS[choice] };
    if ('kind' in choice) return { kind: choice.kind, alpha: choice.alpha ?? SURROGATE_DEFAULTS[choice.kind] };
    const sub = new GraphBuilder([...this.scopes, 'surrogate'], this, false);
    const xin = sub.input('x', x.shape, x.dtype);
    return { kind: 'custom', derivative: sub.finish({ derivative: choice.derivative(sub, xin) }) };
  }

  // --- structure ----------------------------------------------------------------------------

  /** `jax.lax.scan`: the body is traced once into a subgraph; outer tensors it uses are captured. */
  scan(options: ScanOptions): ScanResult {
    const sequences = (options.sequences ?? []).map((t) => this.own(t));
    const consts = (options.consts ?? []).map((t) => this.own(t));
    const carries = options.carries.map((t) => this.own(t));
    const length = options.length ?? sequences[0]?.tensorType.shape[0];
    if (length === undefined) {
      // Without `length` it comes from sequence 0's axis 0, which a scalar does not have.
      if (sequences.length > 0) fail('scan', this.path(), 'sequence 0 is a scalar; sequences are sliced along axis 0', 'rank >= 1', formatType(sequences[0]!.tensorType));
      fail('scan', this.path(), 'scan needs `length` when it has no sequences');
    }
    const scanName = this.uniqueName('scan');
    const body = new GraphBuilder([...scanName.split('/'), 'body'], this);
    const carryIn = carries.map((c, i) => body.input(`carry${i}`, c.tensorType.shape, c.tensorType.dtype));
    const sliceIn = sequences.map((s, i) => {
      const t = s.tensorType;
      if (t.shape.length === 0) fail('scan', scanName, `sequence ${i} is a scalar; sequences are sliced along axis 0`, 'rank >= 1', formatType(t));
      return body.input(`seq${i}`, t.shape.slice(1), t.dtype);
    });
    const constIn = consts.map((c, i) => body.input(`const${i}`, c.tensorType.shape, c.tensorType.dtype));
    const result = options.body(body, carryIn, sliceIn, constIn);
    if (result.carries.length !== carries.length) {
      fail('scan', scanName, 'the body returned the wrong number of carries', `${carries.length}`, `${result.carries.length}`);
    }
    const outs: Record<string, Tensor> = {};
    result.carries.forEach((c, i) => (outs[`carry${i}`] = c));
    (result.outputs ?? []).forEach((y, i) => (outs[`out${i}`] = y));
    // Transforms (autodiff) trace bodies that compute more than they return; keep only what counts.
    const graph = eliminateDeadNodes(body.finish(outs));
    const captured = [...body.captures.values()].map((c) => c.outer);
    const attrs: PrimitiveAttrs['scan'] = {
      body: graph,
      length,
      numCarries: carries.length,
      numSequences: sequences.length,
      reverse: options.reverse ?? false,
    };
    const node = this.addNode('scan', [...carries, ...sequences, ...consts, ...captured], attrs, scanName);
    const parts = (node.type as { tuple: readonly TensorType[] }).tuple.map((_, i) => node.get(i));
    return { carries: parts.slice(0, carries.length), outputs: parts.slice(carries.length) };
  }

  /** A forward computation with a user-written backward (JAX's custom_vjp). Returns the outputs. */
  customVjp(inputs: readonly Tensor[], options: CustomVjpOptions): Tensor[] {
    const own = inputs.map((t) => this.own(t));
    const name = this.uniqueName('customVjp');
    const fwd = new GraphBuilder([...name.split('/'), 'forward'], this, false);
    const fwdIn = own.map((t, i) => fwd.input(`x${i}`, t.tensorType.shape, t.tensorType.dtype));
    const { outputs, residuals = [] } = options.forward(fwd, fwdIn);
    const fwdOuts: Record<string, Tensor> = {};
    outputs.forEach((y, i) => (fwdOuts[`y${i}`] = y));
    residuals.forEach((r, i) => (fwdOuts[`residual${i}`] = r));
    const forward = fwd.finish(fwdOuts);
    const bwd = new GraphBuilder([...name.split('/'), 'backward'], this, false);
    const resIn = residuals.map((r, i) => bwd.input(`residual${i}`, r.tensorType.shape, r.tensorType.dtype));
    const cotIn = outputs.map((y, i) => bwd.input(`dy${i}`, y.tensorType.shape, y.tensorType.dtype));
    const grads = options.backward(bwd, resIn, cotIn);
    const bwdOuts: Record<string, Tensor> = {};
    grads.forEach((g, i) => (bwdOuts[`dx${i}`] = g));
    const backward = bwd.finish(bwdOuts);
    const node = this.addNode('customVjp', own, { forward, backward, numOutputs: outputs.length }, name);
    return outputs.map((_, i) => node.get(i));
  }

  /** Freezes what was traced into a graph with these named outputs (in order). */
  finish(outputs: Readonly<Record<string, Tensor>>): Graph {
    const named = Object.entries(outputs).map(([name, t]) => {
      const own = this.own(t);
      if (isTupleType(own.type)) fail('interface', `outputs.${name}`, 'an output must be a tensor; read one element with get(i)');
      return { name, node: own.id };
    });
    const state: StateBinding[] = this.stateBindings.map((s) => ({ ...s }));
    return freezeGraph({
      nodes: { ...this.nodes },
      inputs: [...this.inputIds],
      params: [...this.paramIds],
      state,
      outputs: named,
    });
  }
}

/** Traces `fn` over symbolic tensors into a frozen graph. */
export function trace(fn: (b: GraphBuilder) => Readonly<Record<string, Tensor>>): Graph {
  const b = new GraphBuilder();
  return b.finish(fn(b));
}

export interface ConvOptions<P> {
  readonly stride?: P;
  readonly padding?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
  readonly dilation?: P;
  readonly groups?: number;
}

function pair(x: number | readonly [number, number]): [number, number] {
  return typeof x === 'number' ? [x, x] : [x[0], x[1]];
}

/**
 * A symbolic tensor during tracing: a node of a GraphBuilder with chainable methods. Methods
 * add nodes; nothing is computed until the graph is evaluated or compiled.
 */
export class Tensor {
  constructor(
    readonly builder: GraphBuilder,
    readonly id: NodeId,
  ) {}

  get type(): ValueType {
    return this.builder.typeOf(this.id);
  }

  /** The tensor type; rejects a tuple (read its elements with `get`). */
  get tensorType(): TensorType {
    const t = this.type;
    if (isTupleType(t)) fail('dtype', this.builder.path(), 'this is a tuple; read one element with get(i)', 'a tensor', formatType(t));
    return t;
  }

  get shape(): Shape {
    return this.tensorType.shape;
  }

  get dtype(): DType {
    return this.tensorType.dtype;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Element `index` of a tuple-valued node (scan, customVjp). */
  get(index: number): Tensor {
    return this.builder.op('tupleGet', [this], { index });
  }

  private unary(op: UnaryOp): Tensor {
    return this.builder.op(op, [this], {});
  }

  private binary(op: BinaryOp | CompareOp | LogicalOp, other: TensorLike): Tensor {
    return this.builder.op(op, [this, other], {});
  }

  private reduce(op: ReduceOp, axes: number | readonly number[] | undefined, keepDims: boolean): Tensor {
    const list = axes === undefined ? this.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
    // In-range negative axes are normalized for a canonical graph; out-of-range ones reach the infer rule, which rejects them.
    const normalized = list.map((a) => (a < 0 && a >= -this.rank ? a + this.rank : a)).sort((a, b) => a - b);
    return this.builder.op(op, [this], { axes: normalized, keepDims });
  }

  // Unary math.
  neg(): Tensor {
    return this.unary('neg');
  }
  abs(): Tensor {
    return this.unary('abs');
  }
  sign(): Tensor {
    return this.unary('sign');
  }
  exp(): Tensor {
    return this.unary('exp');
  }
  log(): Tensor {
    return this.unary('log');
  }
  sqrt(): Tensor {
    return this.unary('sqrt');
  }
  rsqrt(): Tensor {
    return this.unary('rsqrt');
  }
  reciprocal(): Tensor {
    return this.unary('reciprocal');
  }
  sin(): Tensor {
    return this.unary('sin');
  }
  cos(): Tensor {
    return this.unary('cos');
  }
  tanh(): Tensor {
    return this.unary('tanh');
  }
  sigmoid(): Tensor {
    return this.unary('sigmoid');
  }
  floor(): Tensor {
    return this.unary('floor');
  }
  ceil(): Tensor {
    return this.unary('ceil');
  }
  round(): Tensor {
    return this.unary('round');
  }
  logicalNot(): Tensor {
    return this.unary('logicalNot');
  }
  /** max(x, 0), with derivative 0 at x = 0 as in PyTorch and JAX (a `maximum` would split the tie). */
  relu(): Tensor {
    return this.builder.where(this.greater(0), this, 0);
  }

  // Binary arithmetic (numpy broadcasting; a number becomes a scalar of this dtype).
  add(o: TensorLike): Tensor {
    return this.binary('add', o);
  }
  sub(o: TensorLike): Tensor {
    return this.binary('sub', o);
  }
  mul(o: TensorLike): Tensor {
    return this.binary('mul', o);
  }
  div(o: TensorLike): Tensor {
    return this.binary('div', o);
  }
  pow(o: TensorLike): Tensor {
    return this.binary('pow', o);
  }
  maximum(o: TensorLike): Tensor {
    return this.binary('maximum', o);
  }
  minimum(o: TensorLike): Tensor {
    return this.binary('minimum', o);
  }

  // Comparisons give bool.
  less(o: TensorLike): Tensor {
    return this.binary('less', o);
  }
  lessEqual(o: TensorLike): Tensor {
    return this.binary('lessEqual', o);
  }
  greater(o: TensorLike): Tensor {
    return this.binary('greater', o);
  }
  greaterEqual(o: TensorLike): Tensor {
    return this.binary('greaterEqual', o);
  }
  equal(o: TensorLike): Tensor {
    return this.binary('equal', o);
  }
  notEqual(o: TensorLike): Tensor {
    return this.binary('notEqual', o);
  }
  logicalAnd(o: TensorLike): Tensor {
    return this.binary('logicalAnd', o);
  }
  logicalOr(o: TensorLike): Tensor {
    return this.binary('logicalOr', o);
  }

  cast(dtype: DType): Tensor {
    return this.builder.op('cast', [this], { dtype });
  }

  /** Heaviside step (1 where x >= 0) whose gradient is the chosen surrogate (default atan, a = 2). */
  spike(surrogate: SurrogateChoice = 'atan'): Tensor {
    return this.builder.op('spike', [this], { surrogate: this.builder.surrogate(surrogate, this.tensorType) });
  }

  stopGradient(): Tensor {
    return this.builder.op('stopGradient', [this], {});
  }

  // Reductions over `axes` (all when omitted; negative axes count from the end).
  sum(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce('sum', axes, keepDims);
  }
  max(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce('max', axes, keepDims);
  }
  mean(axes?: number | readonly number[], keepDims = false): Tensor {
    return this.reduce('mean', axes, keepDims);
  }

  // Shape.
  /** One entry may be -1: it is inferred from the size. */
  reshape(shape: Shape): Tensor {
    const known = shape.filter((d) => d !== -1);
    const holes = shape.length - known.length;
    if (holes > 1) fail('attr', this.builder.path(), 'reshape takes at most one -1', 'one -1', `[${shape.join(', ')}]`);
    const resolved = holes === 0 ? [...shape] : shape.map((d) => (d === -1 ? sizeOf(this.shape) / Math.max(1, sizeOf(known)) : d));
    return this.builder.op('reshape', [this], { shape: resolved });
  }

  /** Permutes axes; reverses them when `perm` is omitted. */
  transpose(perm?: readonly number[]): Tensor {
    return this.builder.op('transpose', [this], { perm: perm ? [...perm] : this.shape.map((_, i) => this.rank - 1 - i) });
  }

  broadcastTo(shape: Shape): Tensor {
    return this.builder.op('broadcast', [this], { shape: [...shape] });
  }

  /**
   * Python-style slicing per leading axis: negative indices count from the end and are clamped.
   * Axes not given are kept whole.
   */
  slice(starts: readonly number[], ends?: readonly (number | undefined)[], steps?: readonly number[]): Tensor {
    const attrs: { starts: number[]; ends: number[]; steps: number[] } = { starts: [], ends: [], steps: [] };
    this.shape.forEach((dim, axis) => {
      const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + dim : i, 0), dim);
      attrs.starts.push(clamp(starts[axis] ?? 0));
      attrs.ends.push(clamp(ends?.[axis] ?? dim));
      attrs.steps.push(steps?.[axis] ?? 1);
    });
    return this.builder.op('slice', [this], attrs);
  }

  /** Pads each axis with [before, after] copies of `value`. */
  pad(pads: readonly (readonly [number, number])[], value = 0): Tensor {
    return this.builder.op('pad', [this], { pads: pads.map((p) => [p[0], p[1]] as const), value });
  }

  gather(indices: Tensor, axis = 0): Tensor {
    return this.builder.op('gather', [this, indices], { axis });
  }

  oneHot(depth: number): Tensor {
    return this.builder.op('oneHot', [this], { depth });
  }

  // Linear algebra.
  matmul(other: Tensor, options: { transposeA?: boolean; transposeB?: boolean } = {}): Tensor {
    return this.builder.op('matmul', [this, other], { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false });
  }

  conv1d(w: Tensor, options: ConvOptions<number> = {}): Tensor {
    const padding = options.padding ?? 0;
    const attrs: PrimitiveAttrs['conv1d'] = {
      stride: options.stride ?? 1,
      padding: typeof padding === 'number' ? [padding, padding] : (padding as readonly [number, number]),
      dilation: options.dilation ?? 1,
      groups: options.groups ?? 1,
    };
    return this.builder.op('conv1d', [this, w], attrs);
  }

  conv2d(w: Tensor, options: ConvOptions<number | readonly [number, number]> = {}): Tensor {
    const padding = options.padding ?? 0;
    const pads: readonly [readonly [number, number], readonly [number, number]] =
      typeof padding === 'number'
        ? [[padding, padding], [padding, padding]]
        : typeof padding[0] === 'number'
          ? [[padding[0], padding[0]], [padding[1] as number, padding[1] as number]]
          : (padding as readonly [readonly [number, number], readonly [number, number]]);
    const attrs: PrimitiveAttrs['conv2d'] = {
      stride: pair(options.stride ?? 1),
      padding: pads,
      dilation: pair(options.dilation ?? 1),
      groups: options.groups ?? 1,
    };
    return this.builder.op('conv2d', [this, w], attrs);
  }
}
