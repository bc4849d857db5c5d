import type { GraphBuilder, Tensor } from '@spikeflow/core';

/**
 * The constant [f(0), ..., f(T−1)] shaped [T, 1, ..., 1] (`rank` − 1 ones), so it broadcasts
 * against a tensor of rank `rank` − 1 into a time-major [T, ...].
 */
export function overTime(b: GraphBuilder, steps: number, rank: number, f: (t: number) => number = (t) => t): Tensor {
  return b.constant(Array.from({ length: steps }, (_, t) => f(t)), [steps, ...Array<number>(rank - 1).fill(1)]);
}
