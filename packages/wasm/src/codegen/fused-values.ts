import { sameShape, sizeOf, type Graph, type Node, type NodeId, type TensorType } from '@spikeflow/core';
import { block, br, br_if, f32, f32x4, get, i32, i32x4, loop, set, v128, valueBlock, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { broadcastIndex } from './indexing.js';
import type { KernelLibrary } from './kernel-library.js';
import { literal, wasmRule, type MapContext, type ValueExpr } from './wasm-rules.js';

export type { ValueExpr } from './wasm-rules.js';

/** The nodes one elementwise kernel computes (`Partition.fused.get(root)`). */
export interface FusedGroup {
  readonly graph: Graph;
  readonly members: readonly NodeId[];
}

/** Byte address of element 0 of a materialized value. */
export type AddressOf = (id: NodeId) => Expr<'i32'>;

const memberSets = new WeakMap<FusedGroup, ReadonlySet<NodeId>>();
function isMember(group: FusedGroup, id: NodeId): boolean {
  let set = memberSets.get(group);
  if (set === undefined) memberSets.set(group, (set = new Set(group.members)));
  return set.has(id);
}

const tensorType = (node: Node): TensorType => {
  if (!('shape' in node.type)) throw new Error(`internal: node '${node.name}' has a tuple type, not a tensor`);
  return node.type as TensorType;
};

/** Index getters bound to a local by valueAt: used again without another local. */
const boundIndices = new WeakSet<Expr<'i32'>>();

/** `index` as a local's getter (binding it in `body` unless it already is one or a constant). */
function bindIndex(fn: LocalAllocator, index: Expr<'i32'>, body: Stmt[]): Expr<'i32'> {
  if (boundIndices.has(index)) return index;
  const local: Local<'i32'> = fn.local('i32');
  body.push(set(local, index));
  const getter = get(local);
  boundIndices.add(getter);
  return getter;
}

const elementAddress = (base: Expr<'i32'>, index: Expr<'i32'>) => i32.add(base, i32.shl(index, i32.const(2)));

function load(type: TensorType, address: Expr<'i32'>): ValueExpr {
  return type.dtype === 'f32' ? f32.load(address) : i32.load(address);
}

function withBody(body: readonly Stmt[], value: ValueExpr): ValueExpr {
  return body.length === 0 ? value : (valueBlock(body, value as Expr<ValueExpr['type']>) as ValueExpr);
}

/**
 * The value of node `id` (a member, or a materialized value read from memory) at linear index
 * `index` of its shape, as one expression tree: members' rules composed inline, no call per node
 * (library functions aside). An operand that a map node reads twice at the same index is
 * computed once into a local.
 */
export function valueAt(fn: LocalAllocator, group: FusedGroup, addressOf: AddressOf, lib: KernelLibrary, id: NodeId, index: Expr<'i32'>): ValueExpr {
  const node = group.graph.nodes[id];
  if (node === undefined) throw new Error(`internal: node '${id}' is not in the graph`);
  const type = tensorType(node);
  if (!isMember(group, id)) return load(type, elementAddress(addressOf(id), index));
  return nodeValue(fn, group, addressOf, lib, node, index);
}

/** The value of `node` by its own rule, its inputs through valueAt. */
function nodeValue(fn: LocalAllocator, group: FusedGroup, addressOf: AddressOf, lib: KernelLibrary, node: Node, index: Expr<'i32'>): ValueExpr {
  const outType = tensorType(node);
  if (node.op === 'constant') {
    const value = (node as Node<'constant'>).attrs.value;
    if (typeof value !== 'number') throw new Error(`internal: constant '${node.name}' holds an array; it needs a buffer, not fusing`);
    return literal(value, outType.dtype);
  }
  const inTypes = node.inputs.map((input) => tensorType(group.graph.nodes[input]!));
  const rule = wasmRule(node.op);
  const body: Stmt[] = [];
  const i = bindIndex(fn, index, body);
  const input = (k: number, at: Expr<'i32'>) => valueAt(fn, group, addressOf, lib, node.inputs[k]!, at);
  if (rule.kind === 'map') {
    const ctx: MapContext<typeof node.op> = { attrs: node.attrs, inTypes, outType, lib };
    // An input read twice at the same index (x·x) is computed once.
    const seen = new Map<string, ValueExpr>();
    const args = node.inputs.map((inputId, k) => {
      const key = sameShape(inTypes[k]!.shape, outType.shape) ? inputId : `${inputId}@${inTypes[k]!.shape.join('x')}`;
      const repeated = node.inputs.filter((other, j) => other === inputId && sameShape(inTypes[j]!.shape, inTypes[k]!.shape)).length > 1;
      const value = seen.get(key) ?? input(k, broadcastIndex(i, outType.shape, inTypes[k]!.shape));
      if (!repeated || seen.has(key)) return value;
      const local = fn.local(value.type) as Local<ValueExpr['type']>;
      body.push(set(local, value as Expr<ValueExpr['type']>));
      const getter = get(local) as ValueExpr;
      seen.set(key, getter);
      return getter;
    });
    return withBody(body, rule.scalar(args, ctx as never));
  }
  if (rule.kind === 'index') return withBody(body, rule.value({ attrs: node.attrs as never, inTypes, outType, lib, fn, index: i, input }));
  throw new Error(`internal: ${node.op} '${node.name}' is not fusible on WebAssembly (its rule is '${rule.kind}')`);
}

/** The f32/i32 value of a `map`-rule node from its operands' values (each used once). */
export function mapValue(node: Node, args: readonly ValueExpr[], inTypes: readonly TensorType[], lib: KernelLibrary): ValueExpr {
  const rule = wasmRule(node.op);
  if (rule.kind !== 'map') throw new Error(`internal: ${node.op} '${node.name}' is not elementwise`);
  return rule.scalar(args, { attrs: node.attrs as never, inTypes, outType: tensorType(node), lib });
}

/**
 * Four consecutive elements of `id` from element `index` on, as one v128, when every read is
 * contiguous with them (same element order, or one element splatted) and every member on the
 * way has a vector form; undefined otherwise.
 */
function vectorAt(fn: LocalAllocator, group: FusedGroup, addressOf: AddressOf, lib: KernelLibrary, id: NodeId, index: Expr<'i32'>): Expr<'v128'> | undefined {
  const node = group.graph.nodes[id]!;
  const type = tensorType(node);
  if (!isMember(group, id)) return v128.load(elementAddress(addressOf(id), index), { align: 4 });
  if (node.op === 'constant' || (node.op === 'broadcast' && sizeOf(tensorType(group.graph.nodes[node.inputs[0]!]!).shape) === 1)) {
    return splat(valueAt(fn, group, addressOf, lib, id, i32.const(0)));
  }
  if (node.op === 'reshape') return vectorAt(fn, group, addressOf, lib, node.inputs[0]!, index);
  const rule = wasmRule(node.op);
  if (rule.kind !== 'map' || rule.vector === undefined) return undefined;
  const inTypes = node.inputs.map((input) => tensorType(group.graph.nodes[input]!));
  const args: Expr<'v128'>[] = [];
  for (const [k, input] of node.inputs.entries()) {
    const shape = inTypes[k]!.shape;
    const arg = sameShape(shape, type.shape)
      ? vectorAt(fn, group, addressOf, lib, input, index)
      : sizeOf(shape) === 1
        ? splat(valueAt(fn, group, addressOf, lib, input, i32.const(0)))
        : undefined;
    if (arg === undefined) return undefined;
    args.push(arg);
  }
  return rule.vector(args, { attrs: node.attrs as never, inTypes, outType: type, lib });
}

const splat = (value: ValueExpr): Expr<'v128'> => (value.type === 'f32' ? f32x4.splat(value as Expr<'f32'>) : i32x4.splat(value as Expr<'i32'>));

function store(type: TensorType, address: Expr<'i32'>, value: ValueExpr): Stmt {
  return type.dtype === 'f32' ? f32.store(address, value as Expr<'f32'>) : i32.store(address, value as Expr<'i32'>);
}

/**
 * Statements computing elements [lo, hi) of `root` by its rule (its inputs: members, or
 * materialized values read from memory; with no members, a copy or view of a buffer) and storing
 * them at addressOf(root): four at a time while the group vectorizes, then one at a time.
 */
export function elementwiseStatements(fn: LocalAllocator, group: FusedGroup, root: NodeId, addressOf: AddressOf, lib: KernelLibrary, lo: Expr<'i32'>, hi: Expr<'i32'>): Stmt[] {
  const node = group.graph.nodes[root];
  if (node === undefined) throw new Error(`internal: node '${root}' is not in the graph`);
  const type = tensorType(node);
  const rootGroup: FusedGroup = isMember(group, root) ? group : { graph: group.graph, members: [...group.members, root] };
  const i: Local<'i32'> = fn.local('i32');
  const end: Local<'i32'> = fn.local('i32');
  const index = get(i);
  boundIndices.add(index);
  const out = (at: Expr<'i32'>) => elementAddress(addressOf(root), at);
  const vector = vectorAt(fn, rootGroup, addressOf, lib, root, index);
  const countedLoop = (stride: number, limit: Expr<'i32'>, step: Stmt) =>
    block((done) => [loop((next) => [br_if(done, i32.gt_s(i32.add(get(i), i32.const(stride)), limit)), step, set(i, i32.add(get(i), i32.const(stride))), br(next)])]);
  const stmts: Stmt[] = [set(i, lo), set(end, hi)];
  if (vector !== undefined) stmts.push(countedLoop(4, get(end), v128.store(out(index), vector, { align: 4 })));
  stmts.push(countedLoop(1, get(end), store(type, out(index), nodeValue(fn, rootGroup, addressOf, lib, node, index))));
  return stmts;
}
