import type { GraphBuilder, Node, Tensor } from '@spikeflow/core';
import { planScanGrad, reverseScan, savingScan } from '../bptt.js';
import { checkpointedReverse, replayCheckpointed, segmentsOf } from '../checkpoint.js';
import type { BackpropConfig } from '../replay.js';
import { SAVED_SCOPE } from '../saved-tensors.js';
import type { VjpRule, VjpTable } from '../vjp-types.js';

/**
 * The forward pass of a scan that will be differentiated: its tuple, then the residuals its VJP
 * reads: the carries entering every step (`[T, ...carry]` each), or with checkpointing only the
 * carries entering each segment.
 */
export function replayScanForGrad(b: GraphBuilder, node: Node<'scan'>, inputs: readonly Tensor[], config: BackpropConfig): Tensor[] {
  const seg = segmentsOf(node, config);
  if (seg !== undefined) return replayCheckpointed(b, node, inputs, seg);
  const { elements, saved } = savingScan(b, node.attrs, inputs, node.attrs.length, node.name, SAVED_SCOPE);
  return [...elements, ...saved];
}

/** BPTT: a reverse-time scan over the body's VJP (see bptt.ts), segment by segment when checkpointing. */
const scanRule: VjpRule<'scan'> = ({ b, node, attrs, inputs, outputs, cotangents, needs, config }) => {
  const { numCarries: nc, numSequences: ns, body } = attrs;
  const plan = planScanGrad(attrs, needs, cotangents);
  const zeros = (t: Tensor) => b.constant(0, t.shape);
  const consts = inputs.slice(nc + ns);
  const parts = {
    sequences: inputs.slice(nc, nc + ns),
    consts,
    dys: plan.outputs.map((j) => cotangents[nc + j]!),
    dc: plan.carries.map((i) => cotangents[i] ?? zeros(inputs[i]!)),
    acc: plan.consts.map((j) => zeros(consts[j]!)),
  };
  const residuals = outputs.slice(body.outputs.length);
  const seg = segmentsOf(node, config);
  const r = seg === undefined ? reverseScan(b, plan, attrs.length, { ...parts, saved: residuals }, config) : checkpointedReverse(b, plan, seg, residuals, parts, config);
  return inputs.map((_, k) => {
    if (!needs[k]) return undefined;
    if (k < nc) return r.dc[plan.carries.indexOf(k)];
    if (k < nc + ns) return r.dxs[plan.sequences.indexOf(k - nc)];
    return r.acc[plan.consts.indexOf(k - nc - ns)];
  });
};

export const scanVjp: VjpTable<'scan'> = { scan: scanRule };
