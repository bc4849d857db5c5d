import { fail, type HostTensor } from '@spikeflow/core';
import { coordinatesOf } from '../trainer/finite.js';
import type { NpyArray } from './npy.js';

export interface FloatOptions {
  /** Keep NaN and infinities instead of refusing them (default false). */
  readonly allowNonFinite?: boolean;
}

/** An array's values as an f32 host tensor; NaN or an infinity is refused, naming the element. */
export function npyToFloat32(a: NpyArray, options: FloatOptions = {}): HostTensor {
  const data = new Float32Array(a.size);
  for (let k = 0; k < a.size; k++) {
    const v = a.at(k);
    if (!Number.isFinite(v) && options.allowNonFinite !== true) fail('nan', a.where, `element ${coordinatesOf(a.shape, k)} is ${v}; float data must be finite`, 'finite values', String(v));
    data[k] = v;
  }
  return { type: { shape: [...a.shape], dtype: 'f32' }, data };
}

/**
 * Class labels [N] as i32: integers in [0, 2^31) of any integer or bool dtype, or whole floats
 * (as MATLAB conversions write them).
 */
export function npyToLabels(a: NpyArray): HostTensor {
  if (a.shape.length !== 1) fail('shape', a.where, 'labels must be one-dimensional', '[N]', `(${a.shape.join(', ')})`);
  const data = new Int32Array(a.size);
  for (let k = 0; k < a.size; k++) {
    const v = a.at(k);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 31) fail('feed', a.where, `label ${k} is ${v}; labels are class indices`, 'integers in [0, 2^31)', String(v));
    data[k] = v;
  }
  return { type: { shape: [a.size], dtype: 'i32' }, data };
}
