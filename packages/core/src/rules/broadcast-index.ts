import { sameShape, sizeOf, stridesOf, type Shape } from '../types.js';

/**
 * Numpy broadcasting as index arithmetic. `inShape` must broadcast to `outShape` (check that at
 * infer time, e.g. with broadcastOrFail); these helpers do not check it again.
 */

/**
 * Strides of `inShape` laid out along the axes of `outShape`: 0 on an axis that `inShape` lacks
 * (leading axes) or has with length 1, so the same input element repeats along it.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const lead = outShape.length - inShape.length;
  const inStrides = stridesOf(inShape);
  return outShape.map((_, axis) => {
    const inAxis = axis - lead;
    return inAxis < 0 || inShape[inAxis] === 1 ? 0 : inStrides[inAxis]!;
  });
}

/**
 * Maps a row-major flat index of `outShape` to the flat index of the element of a tensor of
 * `inShape` broadcast onto it. Equal shapes and one-element inputs take fast paths.
 */
export function broadcastIndexer(inShape: Shape, outShape: Shape): (outFlat: number) => number {
  if (sameShape(inShape, outShape)) return (i) => i;
  if (sizeOf(inShape) === 1) return () => 0;
  const strides = broadcastStrides(inShape, outShape);
  const outStrides = stridesOf(outShape);
  const rank = outShape.length;
  return (i) => {
    let j = 0;
    for (let axis = 0; axis < rank; axis++) {
      const coord = Math.floor(i / outStrides[axis]!) % outShape[axis]!;
      j += coord * strides[axis]!;
    }
    return j;
  };
}
