import type { GraphBuilder, Tensor } from '@spikeflow/core';

/** Row-major [n, n]: 1 off the diagonal, 0 on it, i.e. the connections other than a neuron to itself. */
export function offDiagonalMask(n: number): number[] {
  return Array.from({ length: n * n }, (_, k) => Number(Math.floor(k / n) !== k % n));
}

/**
 * A square recurrent weight with its diagonal held at 0 (no autapses, as in the LSNN). The mask is
 * a product, not an edit of the param: the diagonal's gradient is then 0, so training cannot grow it.
 */
export function withoutSelfConnections(b: GraphBuilder, w: Tensor): Tensor {
  const n = w.shape[0]!;
  return w.mul(b.constant(offDiagonalMask(n), [n, n]));
}
