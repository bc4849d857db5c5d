import { sameShape, type KernelWork, type Node, type NodeId, type Partition, type ScanWork, type TensorType } from '@spikeflow/core';
import { wgslRule } from '../codegen/wgsl-rules.js';
import { lastReadBy } from './last-reader.js';
import type { Lowering } from './lowering.js';
import { matmulKernelOf } from './matmul-steps.js';

/**
 * Which fused elementwise groups a matmul computes in its stores (see codegen/matmul-epilogue.ts):
 * group root -> the matmul's work. A matmul qualifies when
 * - its result is an f32 temporary read by that one group only (`lastReadBy`: no other kernel,
 *   scan, view, graph output or state update reads it), not stored as spikes;
 * - it runs the register-blocked or narrow kernel (split-K sums partial products in a second
 *   dispatch; the spike kernel stores rows of its own), outside a step loop;
 * - every member computed from the product maps elements at the product's shape (a `map` rule),
 *   so output element i needs the product at element i alone, and the group's root is f32;
 * - the operands, the group's other loads and the output fit the device's storage bindings.
 * W2's `W·X + b` is the case this exists for: the sum is not written and read back.
 */
export function matmulEpilogues(low: Lowering, part: Partition, works: readonly (KernelWork | ScanWork)[]): Map<NodeId, KernelWork> {
  const fused = new Map<NodeId, KernelWork>();
  if (low.inLoop) return fused;
  const { graph } = low;
  const matmuls = new Map(works.flatMap((w) => (w.kind === 'kernel' && w.node.op === 'matmul' ? [[w.id, w] as const] : [])));
  for (const group of works) {
    if (group.kind !== 'kernel' || wgslRule(group.node.op).kind === 'kernel') continue;
    const rootType = graph.nodes[group.id]!.type as TensorType;
    if (rootType.dtype !== 'f32') continue;
    const product = group.loads.find((load) => matmuls.has(load));
    if (product === undefined) continue;
    const productType = graph.nodes[product]!.type as TensorType;
    if (productType.dtype !== 'f32' || !sameShape(productType.shape, rootType.shape)) continue;
    // The group must be its last reader: no other node, view, output or state update reads it.
    if (!lastReadBy(low, part, new Set(group.members), product)) continue;
    // Members computed from the product must map it element by element; the others (a bias
    // reshaped to broadcast) read only their own loads, at any index.
    const fromProduct = new Set([product]);
    const elementwise = group.members.every((id) => {
      const node = graph.nodes[id]!;
      if (!node.inputs.some((input) => fromProduct.has(input))) return true;
      fromProduct.add(id);
      return wgslRule(node.op).kind === 'map' && sameShape((node.type as TensorType).shape, rootType.shape);
    });
    if (!elementwise) continue;
    const work = matmuls.get(product)!;
    const kernel = matmulKernelOf(low, work.node as Node<'matmul'>).kind;
    if (kernel !== 'register' && kernel !== 'narrow') continue;
    // a, b, the group's other loads, the output.
    if (2 + group.loads.length - 1 + 1 > low.limits.maxStorageBuffersPerShaderStage) continue;
    fused.set(group.id, work);
  }
  return fused;
}
