import { elementwiseScanShape, sizeOf, topologicalOrder, type DType, type Node, type NodeId, type Shape, type TensorType } from '@spikeflow/core';
import { mapValue, type ValueExpr } from '../codegen/fused-values.js';
import { broadcastIndex } from '../codegen/indexing.js';
import { asF32, asI32, literal, wasmRules } from '../codegen/wasm-rules.js';
import { forRange } from '../kernels/loops.js';
import { f32, get, i32, set, type Expr, type Local, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import type { KernelEmit, KernelStep } from './program.js';

/**
 * The element shape when a scan's body is elementwise (every body node a `map` rule or a filled
 * constant, every value broadcasting to one shape), so the scan becomes ONE kernel looping over t
 * per element; else undefined (it runs as a step loop).
 */
export function oneKernelScanShape(node: Node<'scan'>, inputTypes: readonly TensorType[]): Shape | undefined {
  return elementwiseScanShape(node, inputTypes, (op) => wasmRules[op].kind === 'map');
}

type ValueLocal = Local<'f32'> | Local<'i32'>;

const localFor = (fn: LocalAllocator, dtype: DType): ValueLocal => (dtype === 'f32' ? fn.local('f32') : fn.local('i32'));
const setValue = (local: ValueLocal, value: ValueExpr): Stmt => (local.type === 'f32' ? set(local, asF32(value)) : set(local as Local<'i32'>, asI32(value)));
const load = (dtype: DType, address: Expr<'i32'>): ValueExpr => (dtype === 'f32' ? f32.load(address) : i32.load(address));
const store = (dtype: DType, address: Expr<'i32'>, value: ValueExpr): Stmt => (dtype === 'f32' ? f32.store(address, asF32(value)) : i32.store(address, asI32(value)));
const elementAt = (base: Expr<'i32'>, index: Expr<'i32'>) => i32.add(base, i32.shl(index, i32.const(2)));

/** Where the fused scan reads its inputs and writes its used tuple elements (byte addresses at emit time). */
export interface FusedScanIo {
  /** Per scan input (carries, sequences, consts): its value and type. */
  readonly inputs: readonly { readonly value: NodeId; readonly type: TensorType }[];
  /** Per tuple element (final carries, then stacked outputs): its value, or undefined when unused. */
  readonly outputs: readonly ({ readonly value: NodeId; readonly type: TensorType } | undefined)[];
}

/**
 * ONE kernel for a whole scan whose body is elementwise: each work item is one element (a
 * neuron), which keeps its carries in locals and loops over t, in either direction.
 */
export function fusedScanKernel(label: string, node: Node<'scan'>, shape: Shape, io: FusedScanIo): KernelStep {
  const { body, numCarries, numSequences, length, reverse } = node.attrs;
  const n = sizeOf(shape);
  const order = topologicalOrder(body).filter((id) => body.nodes[id]!.op !== 'input');
  const args = [...io.inputs.map((x) => x.value), ...io.outputs.flatMap((o) => (o === undefined ? [] : [o.value]))];
  const emit = (e: KernelEmit): Stmt[] => {
    const { fn } = e;
    const i = fn.local('i32');
    const s = fn.local('i32');
    const t = fn.local('i32');
    const at = (value: NodeId) => i32.const(e.offsetOf(value));
    const locals = new Map<NodeId, ValueLocal>();
    const before: Stmt[] = [];
    const perStep: Stmt[] = [set(t, reverse ? i32.sub(i32.const(length - 1), get(s)) : get(s))];
    body.inputs.forEach((id, k) => {
      const { value, type } = io.inputs[k]!;
      const local = localFor(fn, type.dtype);
      locals.set(id, local);
      if (k < numCarries) before.push(setValue(local, load(type.dtype, elementAt(at(value), get(i)))));
      else if (k < numCarries + numSequences) {
        const slice = type.shape.slice(1);
        const index = i32.add(i32.mul(get(t), i32.const(sizeOf(slice))), broadcastIndex(get(i), shape, slice));
        perStep.push(setValue(local, load(type.dtype, elementAt(at(value), index))));
      } else before.push(setValue(local, load(type.dtype, elementAt(at(value), broadcastIndex(get(i), shape, type.shape)))));
    });
    for (const id of order) {
      const bn = body.nodes[id]!;
      const type = bn.type as TensorType;
      const local = localFor(fn, type.dtype);
      const value =
        bn.op === 'constant'
          ? literal(bn.attrs.value as number, type.dtype)
          : mapValue(bn, bn.inputs.map((x) => get(locals.get(x)!)), bn.inputs.map((x) => body.nodes[x]!.type as TensorType), e.lib);
      perStep.push(setValue(local, value));
      locals.set(id, local);
    }
    body.outputs.slice(numCarries).forEach((o, k) => {
      const out = io.outputs[numCarries + k];
      if (out !== undefined) perStep.push(store(out.type.dtype, elementAt(at(out.value), i32.add(i32.mul(get(t), i32.const(n)), get(i))), get(locals.get(o.node)!)));
    });
    // Carries update after every output of the step is written, through temporaries, so a body
    // that permutes its carries reads the old values.
    const next = body.outputs.slice(0, numCarries).map((o, k) => {
      const temp = localFor(fn, io.inputs[k]!.type.dtype);
      perStep.push(setValue(temp, get(locals.get(o.node)!)));
      return temp;
    });
    next.forEach((temp, k) => perStep.push(setValue(locals.get(body.inputs[k]!)!, get(temp))));
    const after: Stmt[] = [];
    io.outputs.slice(0, numCarries).forEach((out, k) => {
      if (out !== undefined) after.push(store(out.type.dtype, elementAt(at(out.value), get(i)), get(locals.get(body.inputs[k]!)!)));
    });
    return forRange(i, e.lo, e.hi, 1, [...before, ...forRange(s, i32.const(0), i32.const(length), 1, perStep), ...after]);
  };
  return { kind: 'kernel', label, args, items: n, granule: 1, itemCost: length * Math.max(1, order.length), emit };
}
