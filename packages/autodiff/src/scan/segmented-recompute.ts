import { fail, GraphBuilder, type Graph, type Node, type PrimitiveAttrs, type Tensor, type TensorType } from '@spikeflow/core';
import { SAVED_SCOPE } from '../saved-tensors.js';
import type { BackpropConfig, VjpContext } from '../vjp-types.js';
import { reverseScan, savingScan, scanElements, type ReverseScanInputs, type ReverseScanResult, type ScanGradPlan } from './bptt.js';

/**
 * Segmented recomputation, i.e. gradient checkpointing for `scan` (config.checkpointEvery = k):
 * the forward pass keeps only the carry entering each segment of k steps (its checkpoint), and
 * the backward pass recomputes a segment's carries from its checkpoint just before running that
 * segment's reverse scan. The forward scan
 * is restructured as an outer scan over segments whose body is an inner scan of k steps; when
 * k does not divide the length, a last, shorter segment (the tail) follows in processing order.
 */

type ScanAttrs = PrimitiveAttrs['scan'];

/** How a scan's steps split into segments. Ranges are of time indices, [start, end). */
export interface Segments {
  /** Steps per full segment. */
  readonly k: number;
  /** Number of full segments. */
  readonly full: number;
  /** Steps of the tail (0 when k divides the length). */
  readonly rem: number;
  readonly main: readonly [number, number];
  readonly tail: readonly [number, number];
  readonly reverse: boolean;
}

/** The segments of `node` under `config`, or undefined when the carries of every step are saved. */
export function segmentsOf(node: Node<'scan'>, config: BackpropConfig): Segments | undefined {
  const every = config.checkpointEvery;
  if (every === undefined) return undefined;
  if (!Number.isInteger(every) || every < 1) {
    fail('attr', node.name, 'checkpointEvery must be a whole number of steps, at least 1', 'an integer >= 1', String(every));
  }
  const { length, reverse } = node.attrs;
  const k = Math.min(every, length);
  const full = Math.floor(length / k);
  const rem = length - full * k;
  // The tail is processed last: at the end of time going forward, at its start in reverse.
  return reverse
    ? { k, full, rem, main: [rem, length], tail: [0, rem], reverse }
    : { k, full, rem, main: [0, full * k], tail: [full * k, length], reverse };
}

function rows(t: Tensor, [start, end]: readonly [number, number]): Tensor {
  return start === 0 && end === t.shape[0] ? t : t.slice([start], [end]);
}

/** A time-major tensor's full segments, `[full, k, ...]`. */
function segmented(t: Tensor, seg: Segments): Tensor {
  return rows(t, seg.main).reshape([seg.full, seg.k, ...t.shape.slice(1)]);
}

/** The inverse of `segmented` joined with the tail's rows, back in time order. */
function joined(main: Tensor, tail: Tensor | undefined, seg: Segments): Tensor {
  const flat = main.reshape([seg.full * seg.k, ...main.shape.slice(2)]);
  if (tail === undefined) return flat;
  return flat.builder.concat(seg.reverse ? [tail, flat] : [flat, tail], 0);
}

/** Body of the outer scan: k steps of the original body, also returning the carries it started from (the checkpoints). */
function segmentBody(attrs: ScanAttrs, k: number, scopes: readonly string[]): Graph {
  const { body, numCarries: nc, numSequences: ns } = attrs;
  const sub = new GraphBuilder(scopes);
  const ins = body.inputs.map((id, i) => {
    const t = body.nodes[id]!.type as TensorType;
    return sub.input(`in${i}`, i >= nc && i < nc + ns ? [k, ...t.shape] : t.shape, t.dtype);
  });
  const parts = scanElements(sub, ins, { ...attrs, length: k }, 'segment', () => 'tupleGet');
  const outs: Record<string, Tensor> = {};
  parts.forEach((p, i) => (outs[i < nc ? `carry${i}` : `out${i - nc}`] = p));
  ins.slice(0, nc).forEach((c, i) => (outs[`checkpoint${i}`] = c));
  return sub.finish(outs);
}

/**
 * The checkpointed forward pass: the scan's tuple (final carries, stacked outputs), then the
 * saved residuals: per carry, the checkpoints `[full, ...carry]`, and, when there is a tail,
 * the carries entering it.
 */
export function replaySegmented(b: GraphBuilder, node: Node<'scan'>, inputs: readonly Tensor[], seg: Segments): Tensor[] {
  const { attrs } = node;
  const { numCarries: nc, numSequences: ns } = attrs;
  const numOut = attrs.body.outputs.length - nc;
  const sequences = inputs.slice(nc, nc + ns);
  const consts = inputs.slice(nc + ns);
  return b.scopePath(node.name, () => {
    const outer = scanElements(
      b,
      [...inputs.slice(0, nc), ...sequences.map((s) => segmented(s, seg)), ...consts],
      { ...attrs, length: seg.full, body: segmentBody(attrs, seg.k, [...node.name.split('/'), 'segments', 'body']) },
      'segments',
      (i) => (i < nc ? (seg.rem > 0 ? `${SAVED_SCOPE}/tailCheckpoint${i}` : 'tupleGet') : i < nc + numOut ? 'tupleGet' : `${SAVED_SCOPE}/checkpoint${i - nc - numOut}`),
    );
    const mainFinals = outer.slice(0, nc);
    const checkpoints = outer.slice(nc + numOut);
    const tail =
      seg.rem > 0
        ? scanElements(b, [...mainFinals, ...sequences.map((s) => rows(s, seg.tail)), ...consts], { ...attrs, length: seg.rem }, 'tail', () => 'tupleGet')
        : undefined;
    const finals = tail?.slice(0, nc) ?? mainFinals;
    const stacked = outer.slice(nc, nc + numOut).map((y, j) => joined(y, tail?.[nc + j], seg));
    return [...finals, ...stacked, ...checkpoints, ...(tail === undefined ? [] : mainFinals)];
  });
}

/**
 * The checkpointed backward pass: the tail first (it ran last), then an outer reverse scan over
 * the full segments whose body recomputes the segment's carries from its checkpoint and runs
 * the segment's reverse scan. `residuals` are the extra elements of `replaySegmented`.
 */
export function reverseSegmented(
  b: GraphBuilder,
  plan: ScanGradPlan,
  seg: Segments,
  residuals: readonly Tensor[],
  parts: Omit<ReverseScanInputs, 'saved'>,
  ctx: VjpContext,
): ReverseScanResult {
  const { attrs } = plan;
  const { numCarries: nc, numSequences: ns } = attrs;
  const numDc = plan.carries.length;
  const recompute = (bb: GraphBuilder, carries: readonly Tensor[], sequences: readonly Tensor[], consts: readonly Tensor[], length: number) =>
    savingScan(bb, attrs, [...carries, ...sequences, ...consts], length, 'recompute', 'recomputed').saved;

  let { dc, acc } = parts;
  let tailDxs: Tensor[] | undefined;
  if (seg.rem > 0) {
    const sequences = parts.sequences.map((s) => rows(s, seg.tail));
    const saved = recompute(b, residuals.slice(nc, 2 * nc), sequences, parts.consts, seg.rem);
    const tail = reverseScan(b, plan, seg.rem, { saved, sequences, consts: parts.consts, dys: parts.dys.map((d) => rows(d, seg.tail)), dc, acc }, ctx);
    ({ dc, acc } = tail);
    tailDxs = tail.dxs;
  }
  const numDys = parts.dys.length;
  const outer = b.scan({
    length: seg.full,
    reverse: !attrs.reverse,
    carries: [...dc, ...acc],
    sequences: [...residuals.slice(0, nc), ...parts.sequences.map((s) => segmented(s, seg)), ...parts.dys.map((d) => segmented(d, seg))],
    consts: parts.consts,
    body: (bb, carries, slices, consts) => {
      const sequences = slices.slice(nc, nc + ns);
      const saved = recompute(bb, slices.slice(0, nc), sequences, consts, seg.k);
      const dys = slices.slice(nc + ns, nc + ns + numDys);
      const r = reverseScan(bb, plan, seg.k, { saved, sequences, consts, dys, dc: carries.slice(0, numDc), acc: carries.slice(numDc) }, ctx);
      return { carries: [...r.dc, ...r.acc], outputs: r.dxs };
    },
  });
  return {
    dc: outer.carries.slice(0, numDc),
    acc: outer.carries.slice(numDc),
    dxs: outer.outputs.map((dx, a) => joined(dx, tailDxs?.[a], seg)),
  };
}
