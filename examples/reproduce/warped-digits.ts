import { fail } from '@spikeflow/core';
import { MNIST_SIDE, type DataRng, type MnistData } from '@spikeflow/models';
import { bilinearSample } from './bilinear-sample.js';

/** Rotation and scaling turn about the image centre, between pixels 13 and 14. */
const CENTRE = (MNIST_SIDE - 1) / 2;

export interface Warp {
  /** Each digit turns by an angle drawn uniformly in [−maxDegrees, maxDegrees]. */
  readonly maxDegrees: number;
  /** Each digit is scaled by a factor drawn uniformly in [1 − maxScale, 1 + maxScale]. */
  readonly maxScale: number;
}

/**
 * Writes `src` (one 28×28 digit) turned by `radians` and scaled by `scale` about the centre into
 * `dst`. Each output pixel samples the source at its inverse-mapped position by bilinear
 * interpolation.
 */
export function warpDigit(src: Float32Array, dst: Float32Array, radians: number, scale: number): void {
  const cos = Math.cos(radians) / scale;
  const sin = Math.sin(radians) / scale;
  for (let row = 0; row < MNIST_SIDE; row++) {
    for (let col = 0; col < MNIST_SIDE; col++) {
      const y = row - CENTRE;
      const x = col - CENTRE;
      // Inverse of a turn by +radians: source = R(−radians) · target / scale.
      dst[row * MNIST_SIDE + col] = bilinearSample(src, cos * y - sin * x + CENTRE, sin * y + cos * x + CENTRE);
    }
  }
}

/**
 * Training-time augmentation: every digit turned and scaled by its own random amounts (drawn
 * from `rng`, angle then scale). Handwriting varies in slant and size more than in anything a
 * whole-pixel shift covers; a fresh draw per epoch keeps the network from memorising the digits.
 */
export function warpedDigits(data: MnistData, warp: Warp, rng: DataRng): MnistData {
  if (!(warp.maxDegrees >= 0 && warp.maxDegrees < 90)) fail('attr', 'warp.maxDegrees', 'the turn must keep digits upright', 'a number in [0, 90)', String(warp.maxDegrees));
  if (!(warp.maxScale >= 0 && warp.maxScale < 1)) fail('attr', 'warp.maxScale', 'the scale factor must stay positive', 'a number in [0, 1)', String(warp.maxScale));
  if (warp.maxDegrees === 0 && warp.maxScale === 0) return data;
  const images = new Float32Array(data.images.length);
  const pixels = MNIST_SIDE * MNIST_SIDE;
  for (let n = 0; n < data.count; n++) {
    const radians = ((2 * rng.next() - 1) * warp.maxDegrees * Math.PI) / 180;
    const scale = 1 + (2 * rng.next() - 1) * warp.maxScale;
    warpDigit(data.images.subarray(n * pixels, (n + 1) * pixels), images.subarray(n * pixels, (n + 1) * pixels), radians, scale);
  }
  return { count: data.count, images, labels: data.labels };
}
