import { type Shape } from '../types.js';
/**
 * Numpy broadcasting as index arithmetic. `inShape` must broadcast to `outShape` (check that at
 * infer time, e.g. with broadcastOrFail); these helpers do not check it again.
 */
/**
 * Strides of `inShape` laid out along the axes of `outShape`: 0 on an axis that `inShape` lacks
 * (leading axes) or has with length 1, so the same input element repeats along it.
 */
export declare function broadcastStrides(inShape: Shape, outShape: Shape): number[];
/**
 * Maps a row-major flat index of `outShape` to the flat index of the element of a tensor of
 * `inShape` broadcast onto it. Equal shapes and one-element inputs take fast paths.
 */
export declare function broadcastIndexer(inShape: Shape, outShape: Shape): (outFlat: number) => number;
