import type { Graph, Node, NodeId } from '../graph.js';

/**
 * Segment scans: scans whose steps are blocks of steps of an inner scan (checkpointed BPTT's
 * outer loops over segments). Row-wise work on one block is as parallel as on the whole sequence
 * up to the block's length, so moving it into such a scan costs no kernel efficiency to speak
 * of, while moving it into a scan of single steps would split one large matmul into T small ones.
 */

/** Whether body input `id` is read, and only read, as a sequence of scans nested in `body`: a block of steps. */
export function isStepBlockInput(body: Graph, id: NodeId): boolean {
  const reads = Object.values(body.nodes).flatMap((n) => n.inputs.flatMap((input, k) => (input === id ? [{ n, k }] : [])));
  const asSequence = ({ n, k }: (typeof reads)[number]) => n.op === 'scan' && k >= n.attrs.numCarries && k < n.attrs.numCarries + n.attrs.numSequences;
  return reads.length > 0 && reads.every(asSequence);
}

/** Whether per-step output `index` of `scan` (an index into its tuple) is a stacked output of a scan nested in its body. */
export function isStepBlockOutput(scan: Node<'scan'>, index: number): boolean {
  const { body } = scan.attrs;
  const node = body.nodes[body.outputs[index]!.node]!;
  if (node.op !== 'tupleGet') return false;
  const producer = body.nodes[node.inputs[0]!]!;
  return producer.op === 'scan' && node.attrs.index >= producer.attrs.numCarries;
}
