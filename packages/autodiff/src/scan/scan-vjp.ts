import type { Tensor } from '@spikeflow/core';
import { SAVED_SCOPE } from '../saved-tensors.js';
import type { ReplayForGrad, VjpRule, VjpTable } from '../vjp-types.js';
import { planScanGrad, reverseScan, savingScan } from './bptt.js';
import { replaySegmented, reverseSegmented, segmentsOf } from './segmented-recompute.js';

/**
 * The forward pass of a scan that will be differentiated: its tuple, then the residuals its VJP
 * reads: the carries entering every step (`[T, ...carry]` each), or with checkpointing only the
 * carries entering each segment.
 */
const replayScanForGrad: ReplayForGrad<'scan'> = ({ b, node, inputs, config }) => {
  const seg = segmentsOf(node, config);
  if (seg !== undefined) return replaySegmented(b, node, inputs, seg);
  const { elements, saved } = savingScan(b, node.attrs, inputs, node.attrs.length, node.name, SAVED_SCOPE);
  return [...elements, ...saved];
};

/** BPTT: a reverse-time scan over the body's VJP (see bptt.ts), segment by segment when checkpointing. */
const scanRule: VjpRule<'scan'> = ({ b, node, attrs, inputs, outputs, cotangents, needs, config, ctx }) => {
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
  const r = seg === undefined ? reverseScan(b, plan, attrs.length, { ...parts, saved: residuals }, ctx) : reverseSegmented(b, plan, seg, residuals, parts, ctx);
  return inputs.map((_, k) => {
    if (!needs[k]) return undefined;
    if (k < nc) return r.dc[plan.carries.indexOf(k)];
    if (k < nc + ns) return r.dxs[plan.sequences.indexOf(k - nc)];
    return r.acc[plan.consts.indexOf(k - nc - ns)];
  });
};

export const scanVjp: VjpTable<'scan'> = { scan: { replayForGrad: replayScanForGrad, vjp: scanRule } };
