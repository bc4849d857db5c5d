import { MNIST_PIXELS, type MnistData } from '@spikeflow/models';

/** A set of digits as intensities in [0, 1], maybe downsampled (2×2 mean pooling: 784 → 196 inputs). */
export interface DigitSet {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  /** Pixels per image: 784, or 196 pooled. */
  readonly pixels: number;
}

/** Digits `indices` of `data`, at full size or 2×2-pooled (each pooled pixel the mean of its four). */
export function digitSet(data: MnistData, indices: ArrayLike<number>, pool: 1 | 2 = 1): DigitSet {
  const side = 28 / pool;
  const pixels = side * side;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const src = data.images.subarray(indices[k]! * MNIST_PIXELS, (indices[k]! + 1) * MNIST_PIXELS);
    labels[k] = data.labels[indices[k]!]!;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        let sum = 0;
        for (let dr = 0; dr < pool; dr++) for (let dc = 0; dc < pool; dc++) sum += src[(r * pool + dr) * 28 + c * pool + dc]!;
        images[k * pixels + r * side + c] = sum / (pool * pool);
      }
    }
  }
  return { images, labels, pixels };
}

/** The digits `rows` of `set`, in that order. */
export function subsetDigits(set: DigitSet, rows: ArrayLike<number>): DigitSet {
  const { pixels } = set;
  const images = new Float32Array(rows.length * pixels);
  for (let j = 0; j < rows.length; j++) images.set(set.images.subarray(rows[j]! * pixels, (rows[j]! + 1) * pixels), j * pixels);
  return { images, labels: Int32Array.from(rows, (r) => set.labels[r]!), pixels };
}
