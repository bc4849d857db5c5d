import { sizeOf, type Shape, type Tensor } from '@spikeflow/core';
import { unbroadcast } from '../unbroadcast.js';
import { NON_DIFFERENTIABLE, type VjpTable } from '../vjp-types.js';

/**
 * Shape primitives move elements without arithmetic, so each VJP moves the cotangent back:
 * reshape/transpose invert, broadcast sums, slice/pad/concat scatter or cut, gather scatter-adds.
 * Slices here use in-range, non-negative bounds, which `Tensor.slice` passes through unclamped.
 */

/**
 * The transpose of `slice`: a zero tensor of `shape` with `cot` written at positions
 * `starts + k·steps` along each axis. Axes with step > 1 are dilated without a scatter primitive:
 * each element gets a new size-1 axis after it, padded with step - 1 zeros, and the pair is merged
 * back, so element k lands at k·step; the zeros past the last element are cut before the
 * final pad places the block at `starts` inside `shape`. Conv uses it to undo its stride.
 */
export function unslice(cot: Tensor, shape: Shape, starts: readonly number[], steps: readonly number[]): Tensor {
  const b = cot.builder;
  if (sizeOf(cot.shape) === 0) return b.constant(0, shape);
  const n = cot.shape;
  const strided = n.map((len, ax) => steps[ax]! > 1 && len > 1);
  let t = cot;
  if (strided.some(Boolean)) {
    const split = n.flatMap((len, ax) => (strided[ax] ? [len, 1] : [len]));
    const spread = n.flatMap((_, ax): [number, number][] => (strided[ax] ? [[0, 0], [0, steps[ax]! - 1]] : [[0, 0]]));
    const merged = n.map((len, ax) => (strided[ax] ? len * steps[ax]! : len));
    const span = n.map((len, ax) => (strided[ax] ? (len - 1) * steps[ax]! + 1 : len));
    t = t.reshape(split).pad(spread).reshape(merged).slice(n.map(() => 0), span);
  }
  const pads = t.shape.map((len, ax): [number, number] => [starts[ax]!, shape[ax]! - starts[ax]! - len]);
  return pads.some(([lo, hi]) => lo > 0 || hi > 0) ? t.pad(pads) : t;
}

/**
 * Scatter-add of a gather's cotangent into x's shape, built from a one-hot and one batched matmul:
 * with x viewed as [O, D, R] (D the gathered axis) and the J indices flattened,
 * dx[o, d, r] = Σ_j onehot[j, d] · cot[o, j, r], i.e. onehot[J, D]ᵀ @ cot[O, J, R].
 * Cost: O·J·D·R multiply-adds and a J×D one-hot, against O·J·R adds for a true scatter;
 * fine for embedding-sized D, and it needs no atomics on any backend.
 */
function scatterAdd(cot: Tensor, indices: Tensor, xShape: Shape, axis: number): Tensor {
  const dim = xShape[axis]!;
  const outer = sizeOf(xShape.slice(0, axis));
  const inner = sizeOf(xShape.slice(axis + 1));
  const count = sizeOf(indices.shape);
  const oneHot = indices.reshape([count]).oneHot(dim);
  return oneHot.matmul(cot.reshape([outer, count, inner]), { transposeA: true }).reshape(xShape);
}

export const shapeVjp: VjpTable<'reshape' | 'transpose' | 'broadcast' | 'slice' | 'concat' | 'pad' | 'gather' | 'oneHot'> = {
  reshape: ({ inputs, cotangent }) => [cotangent.reshape(inputs[0]!.shape)],
  transpose: ({ attrs, cotangent }) => {
    const inverse = new Array<number>(attrs.perm.length);
    attrs.perm.forEach((p, i) => (inverse[p] = i));
    return [cotangent.transpose(inverse)];
  },
  broadcast: ({ inputs, cotangent }) => [unbroadcast(cotangent, inputs[0]!.shape)],
  slice: ({ inputs, attrs, cotangent }) => [unslice(cotangent, inputs[0]!.shape, attrs.starts, attrs.steps)],
  concat: ({ inputs, attrs, cotangent, needs }) => {
    const rank = cotangent.rank;
    const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
    let offset = 0;
    return inputs.map((x, i) => {
      const from = offset;
      offset += x.shape[axis]!;
      if (!needs[i]) return undefined;
      const starts = cotangent.shape.map((_, ax) => (ax === axis ? from : 0));
      const ends = cotangent.shape.map((d, ax) => (ax === axis ? offset : d));
      return cotangent.slice(starts, ends);
    });
  },
  // The pad value is a constant, so only the interior carries a gradient.
  pad: ({ inputs, attrs, cotangent }) => {
    const starts = attrs.pads.map(([before]) => before);
    return [cotangent.slice(starts, starts.map((s, ax) => s + inputs[0]!.shape[ax]!))];
  },
  // Indices are integers: only x gets a cotangent.
  gather: ({ inputs, attrs, cotangent }) => {
    const [x, indices] = inputs as [Tensor, Tensor];
    const axis = attrs.axis < 0 ? attrs.axis + x.rank : attrs.axis;
    return [scatterAdd(cotangent, indices, x.shape, axis), undefined];
  },
  oneHot: NON_DIFFERENTIABLE,
};
