import { sameShape, type Node, type NodeId, type Partition, type Shape, type TensorType } from '@spikeflow/core';
import { lastReadBy } from './last-reader.js';
import { producedValueId, type Lowering } from './lowering.js';

/** Whether `scan` reads its input `k` once and is the last to read its buffer (see `lastReadBy`). */
function diesInScan(low: Lowering, part: Partition, scan: Node<'scan'>, k: number): boolean {
  const resolve = (id: NodeId) => part.aliases.get(id) ?? id;
  const source = resolve(scan.inputs[k]!);
  if (scan.inputs.filter((i) => resolve(i) === source).length !== 1) return false;
  return lastReadBy(low, part, new Set([scan.id]), source);
}

/**
 * For a scan lowered to one thread-per-element kernel: which stacked outputs it may write into
 * the buffer of a sequence it reads for the last time, as output index -> input index. Such a
 * thread reads element (t, i) of the sequence at step t before it writes element (t, i) of the
 * output, and no other thread touches either, so one read_write binding serves both. Pairs need
 * the sequence to be exactly [length, ...element shape] (no broadcast: then other threads would
 * read the element) and the output's dtype; they are recorded in `low.inPlace` for the memory plan.
 * Inside a step loop only between the loop body's own whole buffers: not a body input (a per-step
 * slice of a larger buffer, a carry or a constant the next iteration reads again).
 */
export function inPlaceOutputs(low: Lowering, part: Partition, scan: Node<'scan'>, inputs: readonly NodeId[], shape: Shape, readers: ReadonlyMap<number, NodeId>): Map<number, number> {
  const pairs = new Map<number, number>();
  const { numCarries, numSequences, length } = scan.attrs;
  const tuple = (scan.type as { tuple: readonly TensorType[] }).tuple;
  const stacked = [length, ...shape];
  const claimed = new Set<number>();
  for (let out = numCarries; out < tuple.length; out++) {
    const reader = readers.get(out);
    if (reader === undefined || !sameShape(tuple[out]!.shape, stacked)) continue;
    const written = producedValueId(low, reader);
    if (low.values.get(written)?.role !== 'temp') continue;
    for (let k = numCarries; k < numCarries + numSequences; k++) {
      const type = low.graph.nodes[scan.inputs[k]!]!.type as TensorType;
      const read = low.values.get(inputs[k]!);
      if (claimed.has(k) || type.dtype !== tuple[out]!.dtype || !sameShape(type.shape, stacked) || read?.bytes !== low.values.get(written)!.bytes) continue;
      if (!diesInScan(low, part, scan, k)) continue;
      claimed.add(k);
      pairs.set(out, k);
      low.inPlace.set(written, inputs[k]!);
      break;
    }
  }
  return pairs;
}
