import { toArray, type HostTensor } from '@spikeflow/core';

/** Largest |a - b| over the elements, scaled by max(1, largest |b|): one number per tensor pair. */
export function scaledMaxError(a: HostTensor, b: HostTensor): number {
  const x = toArray(a);
  const y = toArray(b);
  if (x.length !== y.length) return Infinity;
  let scale = 1;
  let err = 0;
  for (let k = 0; k < y.length; k++) {
    scale = Math.max(scale, Math.abs(y[k]!));
    err = Math.max(err, Math.abs(x[k]! - y[k]!));
  }
  return err / scale;
}
