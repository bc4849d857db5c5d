import { fail } from '@spikeflow/core';
import { MNIST_SIDE, type DataRng, type MnistData } from '@spikeflow/models';

/**
 * Training-time augmentation: every digit moved by its own random whole-pixel offset in
 * [−maxShift, maxShift] on each axis (drawn from `rng`), the vacated pixels set to 0. A fresh
 * draw per epoch gives the network translated copies of the digits it would otherwise memorise.
 */
export function shiftedDigits(data: MnistData, maxShift: number, rng: DataRng): MnistData {
  if (!Number.isInteger(maxShift) || maxShift < 0 || maxShift >= MNIST_SIDE) fail('attr', 'maxShift', 'the shift is a whole number of pixels inside the image', `an integer in [0, ${MNIST_SIDE})`, String(maxShift));
  if (maxShift === 0) return data;
  const images = new Float32Array(data.images.length);
  for (let n = 0; n < data.count; n++) {
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const base = n * MNIST_SIDE * MNIST_SIDE;
    for (let row = Math.max(0, dy); row < Math.min(MNIST_SIDE, MNIST_SIDE + dy); row++) {
      const srcRow = base + (row - dy) * MNIST_SIDE;
      const dstRow = base + row * MNIST_SIDE;
      const from = Math.max(0, -dx);
      const to = Math.min(MNIST_SIDE, MNIST_SIDE - dx);
      images.set(data.images.subarray(srcRow + from, srcRow + to), dstRow + from + dx);
    }
  }
  return { count: data.count, images, labels: data.labels };
}
