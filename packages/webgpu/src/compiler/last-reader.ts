import type { NodeId, Partition } from '@spikeflow/core';
import type { Lowering } from './lowering.js';

/**
 * Whether the nodes `readers` (those one kernel computes) are the last to read the buffer of
 * `source` (an alias-resolved node), so that kernel may overwrite it: no node outside `readers`
 * reads the value or a reshape alias of it, and it is a temporary that is neither a graph output
 * (in a step loop's body: not a new carry or per-step output) nor a state update, nor, inside a
 * step loop, a body input (a per-step slice, a carry or a constant the next iteration reads again).
 */
export function lastReadBy(low: Lowering, part: Partition, readers: ReadonlySet<NodeId>, source: NodeId): boolean {
  const resolve = (id: NodeId) => part.aliases.get(id) ?? id;
  if (low.packed.has(source) || low.values.get(low.valueId(source))?.role !== 'temp') return false;
  if (low.inLoop && (low.graph.inputs.includes(source) || low.stepStrides.has(source))) return false;
  if (low.graph.state.some((s) => resolve(s.update) === source)) return false;
  // A graph output is read after the kernel: inside a step loop a body's outputs (the new carries
  // and per-step outputs, copied out after the body) are registered as temporaries, so the role
  // alone does not say so.
  if (low.graph.outputs.some((o) => resolve(o.node) === source)) return false;
  return Object.values(low.graph.nodes).every((n) => readers.has(n.id) || resolve(n.id) === source || !n.inputs.some((i) => resolve(i) === source));
}
