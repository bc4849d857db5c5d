import type { Graph, NodeId, TensorType } from '@spikeflow/core';

/** Views that move elements without changing them. */
const VIEWS = new Set(['reshape', 'transpose', 'broadcast', 'slice', 'stopGradient']);

/**
 * Whether node `id` can only hold 0 and 1 (spikes): a `spike`, a cast from bool, a view of such a
 * value, or a per-step output of a scan whose body output is one. A matmul whose left operand is
 * binary may skip its zeros (see lowerMatmul).
 */
export function isBinary(graph: Graph, id: NodeId): boolean {
  const node = graph.nodes[id]!;
  if (node.op === 'spike') return true;
  if (node.op === 'cast') return (graph.nodes[node.inputs[0]!]!.type as TensorType).dtype === 'bool';
  if (VIEWS.has(node.op)) return isBinary(graph, node.inputs[0]!);
  if (node.op === 'tupleGet') {
    const scan = graph.nodes[node.inputs[0]!]!;
    if (scan.op !== 'scan' || node.attrs.index < scan.attrs.numCarries) return false;
    const body = scan.attrs.body;
    return isBinary(body, body.outputs[node.attrs.index]!.node);
  }
  return false;
}
