import { fail, formatShape, type Tensor } from '@spikeflow/core';

/**
 * How a time-major output `[T, B, C]` becomes per-sample class scores `[B, C]`:
 * - `count`: spikes summed over time, `rate`: averaged over time (count / T);
 * - `max`, `mean`, `last`: of a membrane readout over time (`last` is the final step).
 */
export const TIME_READOUTS = ['count', 'rate', 'max', 'mean', 'last'] as const;
export type TimeReadout = (typeof TIME_READOUTS)[number];

export function timeReadout(x: Tensor, mode: TimeReadout): Tensor {
  if (x.rank < 2) fail('shape', x.builder.path(), 'a time readout needs a time-major tensor [T, ...]', '[T, B, C]', formatShape(x.shape));
  switch (mode) {
    case 'count':
      return x.sum(0);
    case 'rate':
    case 'mean':
      return x.mean(0);
    case 'max':
      return x.max(0);
    case 'last':
      return x.slice([-1]).reshape(x.shape.slice(1));
  }
}
