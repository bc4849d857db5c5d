import type { DType, Graph, Node, NodeId, Primitive, TensorType } from '@spikeflow/core';
import { broadcastIndex } from './indexing.js';
import { loadStored, wgslLiteral, wgslValueType, type BufferBinding, type KernelSizes } from './kernel-source.js';
import { PHILOX_WGSL } from './philox.wgsl.js';
import { mapExpr, usesRng, wgslRule } from './wgsl-rules.js';

/**
 * WGSL for a group of fused nodes: one function `fn vK(i: u32) -> T` per node giving its value at
 * linear index i of its own shape. A buffer read is such a function too, so nodes compose by
 * calling their inputs at the indices their rule maps to. Function names are generated; extents
 * and strides are read from the kernel's size table `sizes`.
 */
export interface ValueFunctions {
  readonly code: string;
  /** Function name of each node (members and loads). */
  readonly names: ReadonlyMap<NodeId, string>;
  readonly bindings: readonly BufferBinding[];
}

/** A load the kernel overwrites with its result: read through the output binding (`read(index)` gives its storage value), so it has no binding of its own. */
export interface OverwrittenLoad {
  readonly load: NodeId;
  readonly read: (index: string) => string;
}

export function valueFunctions(
  graph: Graph,
  members: readonly NodeId[],
  loads: readonly NodeId[],
  stepStrides: ReadonlyMap<NodeId, number> = new Map(),
  packed: ReadonlySet<NodeId>,
  sizes: KernelSizes,
  overwritten?: OverwrittenLoad,
): ValueFunctions {
  const names = new Map<NodeId, string>();
  const lines: string[] = [];
  const bindings: BufferBinding[] = [];
  loads.forEach((id, k) => {
    const type = graph.nodes[id]!.type as TensorType;
    let read: string;
    if (overwritten?.load === id) read = overwritten.read('i');
    else {
      const binding: BufferBinding = sizes.stepped({ name: `in${k}`, access: 'read', type, stepStride: stepStrides.get(id) ?? 0, ...(packed.has(id) ? { packed: true } : {}) });
      bindings.push(binding);
      read = loadStored(binding, 'i');
    }
    const name = `v${names.size}`;
    names.set(id, name);
    lines.push(`fn ${name}(i: u32) -> ${wgslValueType(type.dtype)} { return ${type.dtype === 'bool' ? `${read} != 0u` : read}; }`);
  });
  let rng = false;
  for (const id of members) {
    const node = graph.nodes[id]!;
    const outType = node.type as TensorType;
    const inTypes = node.inputs.map((i) => graph.nodes[i]!.type as TensorType);
    const call = (k: number, index: string) => `${names.get(node.inputs[k]!)!}(${index})`;
    const name = `v${names.size}`;
    names.set(id, name);
    rng ||= usesRng(node.op);
    const body = node.op === 'constant' ? `return ${constantValue(node.attrs.value as number, outType.dtype, sizes)};` : ruleBody(node, inTypes, outType, call, sizes);
    lines.push(`fn ${name}(i: u32) -> ${wgslValueType(outType.dtype)} {\n  ${body.trim()}\n}`);
  }
  return { code: (rng ? PHILOX_WGSL + '\n' : '') + lines.join('\n'), names, bindings };
}

/** The body of a fused node's value function, from its `map` or `index` rule; `call(k, index)` reads input k. */
function ruleBody<P extends Primitive>(node: Node<P>, inTypes: readonly TensorType[], outType: TensorType, call: (k: number, index: string) => string, sizes: KernelSizes): string {
  const rule = wgslRule(node.op);
  if (rule.kind === 'map') return `return ${mapExpr(node, inTypes.map((t, k) => call(k, broadcastIndex('i', outType.shape, t.shape, sizes))), inTypes, outType)};`;
  if (rule.kind === 'index') return rule.body({ attrs: node.attrs, inTypes, outType, i: 'i', sizes, input: call });
  throw new Error(`internal: ${node.op} is not fusible`);
}

/**
 * A fused scalar constant, read as bits from the size table: a graph's constants often derive
 * from its sizes (a batch mean divides by B), and they must not change the kernel's text either.
 * Bools stay literals.
 */
function constantValue(value: number, dtype: DType, sizes: KernelSizes): string {
  if (dtype === 'bool') return wgslLiteral(value, dtype);
  const bits = new Uint32Array(dtype === 'f32' ? new Float32Array([value]).buffer : dtype === 'i32' ? new Int32Array([value]).buffer : new Uint32Array([value]).buffer)[0]!;
  return dtype === 'u32' ? sizes.of(bits) : `bitcast<${dtype}>(${sizes.of(bits)})`;
}
