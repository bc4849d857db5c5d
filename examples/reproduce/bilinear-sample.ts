import { MNIST_SIDE } from '@spikeflow/models';

/** The pixel at (row, col), or 0 outside the image, so no ink wraps around. */
function pixelAt(src: Float32Array, row: number, col: number): number {
  return row >= 0 && row < MNIST_SIDE && col >= 0 && col < MNIST_SIDE ? src[row * MNIST_SIDE + col]! : 0;
}

/**
 * The value of one 28×28 digit at a fractional position (row, col), interpolated bilinearly from
 * its four neighbouring pixels; pixels outside the image read 0, so no ink wraps around.
 */
export function bilinearSample(src: Float32Array, row: number, col: number): number {
  const r0 = Math.floor(row);
  const c0 = Math.floor(col);
  const fr = row - r0;
  const fc = col - c0;
  return (
    (1 - fr) * ((1 - fc) * pixelAt(src, r0, c0) + fc * pixelAt(src, r0, c0 + 1)) +
    fr * ((1 - fc) * pixelAt(src, r0 + 1, c0) + fc * pixelAt(src, r0 + 1, c0 + 1))
  );
}
