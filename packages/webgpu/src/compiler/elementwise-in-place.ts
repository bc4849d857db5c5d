import { sameShape, sameType, type NodeId, type Partition, type TensorType } from '@spikeflow/core';
import { wgslRule } from '../codegen/wgsl-rules.js';
import { lastReadBy } from './last-reader.js';
import { producedValueId, type Lowering } from './lowering.js';

/**
 * Which load (an index into `loads`) a fused elementwise group rooted at `root` may overwrite with
 * its result, or undefined: one whose buffer the group reads for the last time, of the result's
 * shape and dtype. Every member maps elements at the root's shape (a `map` rule, no index rule; or
 * is a filled constant),
 * so a thread reads element i of such a load only to compute element i of the result, and no other
 * thread reads it: the kernel reads the load through its output binding and writes over it (one
 * read_write binding; WebGPU rejects a buffer bound twice when one binding writes). The pair is
 * recorded in `low.inPlace` for the memory plan. Adding a segment's partial product into a running
 * sum is the case this exists for: the sum no longer needs a buffer beside the partial.
 */
export function elementwiseInPlaceLoad(low: Lowering, part: Partition, root: NodeId, members: readonly NodeId[], loads: readonly NodeId[]): number | undefined {
  const resolve = (id: NodeId) => part.aliases.get(id) ?? id;
  const type = low.graph.nodes[root]!.type as TensorType;
  const written = producedValueId(low, root);
  const out = low.values.get(written);
  if (out?.role !== 'temp' || low.stepStrides.has(root)) return undefined;
  // (A fused filled constant reads no buffer.)
  const elementwise = members.every((id) => {
    const node = low.graph.nodes[id]!;
    return node.op === 'constant' || (wgslRule(node.op).kind === 'map' && sameShape((node.type as TensorType).shape, type.shape));
  });
  if (!elementwise) return undefined;
  const group = new Set(members);
  const index = loads.findIndex((load) => {
    const loadType = low.graph.nodes[load]!.type as TensorType;
    const source = resolve(load);
    if (!sameType(loadType, type) || low.stepStrides.has(load)) return false;
    if (low.values.get(low.valueId(source))?.bytes !== out.bytes) return false;
    // Read through one binding only: no other load may be the same buffer.
    if (loads.filter((l) => resolve(l) === source).length !== 1) return false;
    return lastReadBy(low, part, group, source);
  });
  if (index < 0) return undefined;
  low.inPlace.set(written, low.valueId(resolve(loads[index]!)));
  return index;
}
