import { fail } from '@spikeflow/core';
import { MNIST_SIDE, type DataRng, type MnistData } from '@spikeflow/models';
import { bilinearSample } from './bilinear-sample.js';

/** Gaussian taps reach this many standard deviations each side, as in common image filters. */
const TRUNCATE = 4;

/** Elastic distortion as Simard, Steinkraus & Platt (ICDAR 2003) define it for 28×28 digits. */
export interface ElasticDistortion {
  /** Scale of the smoothed displacement field, in pixels (Simard et al.: 34). */
  readonly alpha: number;
  /** Standard deviation of the Gaussian that smooths the field, in pixels (Simard et al.: 4). */
  readonly sigma: number;
}

/** A normalised 1-D Gaussian of standard deviation `sigma`, taps from −⌈4σ⌉ to ⌈4σ⌉. */
export function gaussianTaps(sigma: number): Float64Array {
  const radius = Math.ceil(TRUNCATE * sigma);
  const taps = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / total);
}

/** One 28×28 field smoothed by symmetric, odd-length `taps` along rows then columns; outside the image counts as 0. */
export function smoothField(field: Float64Array, taps: Float64Array): Float64Array {
  const radius = (taps.length - 1) / 2;
  const pixels = MNIST_SIDE * MNIST_SIDE;
  const alongRows = new Float64Array(pixels);
  for (let row = 0; row < MNIST_SIDE; row++) {
    for (let col = 0; col < MNIST_SIDE; col++) {
      let sum = 0;
      // Taps are clipped to the image.
      for (let k = Math.max(-radius, -col), end = Math.min(radius, MNIST_SIDE - 1 - col); k <= end; k++) sum += taps[k + radius]! * field[row * MNIST_SIDE + col + k]!;
      alongRows[row * MNIST_SIDE + col] = sum;
    }
  }
  const out = new Float64Array(pixels);
  for (let row = 0; row < MNIST_SIDE; row++) {
    for (let col = 0; col < MNIST_SIDE; col++) {
      let sum = 0;
      for (let k = Math.max(-radius, -row), end = Math.min(radius, MNIST_SIDE - 1 - row); k <= end; k++) sum += taps[k + radius]! * alongRows[(row + k) * MNIST_SIDE + col]!;
      out[row * MNIST_SIDE + col] = sum;
    }
  }
  return out;
}

/** Writes into `dst` the digit `src` sampled at every pixel's own displaced position (row + dRow, col + dCol), bilinearly. */
export function displaceDigit(src: Float32Array, dst: Float32Array, dRow: Float64Array, dCol: Float64Array): void {
  for (let row = 0; row < MNIST_SIDE; row++) {
    for (let col = 0; col < MNIST_SIDE; col++) {
      const i = row * MNIST_SIDE + col;
      dst[i] = bilinearSample(src, row + dRow[i]!, col + dCol[i]!);
    }
  }
}

/** Rejects an elastic setting that is not a size in pixels, naming `field`'s member. */
export function checkElastic(elastic: ElasticDistortion, field: string): void {
  if (!(elastic.alpha >= 0 && Number.isFinite(elastic.alpha))) fail('attr', `${field}.alpha`, 'the field scale is a size in pixels', 'a finite number >= 0', String(elastic.alpha));
  if (!(elastic.sigma > 0 && elastic.sigma <= MNIST_SIDE)) fail('attr', `${field}.sigma`, 'the smoothing width must be positive and within the image', `a number in (0, ${MNIST_SIDE}]`, String(elastic.sigma));
}

/**
 * Training-time augmentation: every digit bent by its own random elastic field. Each pixel's
 * displacement on each axis is drawn uniformly in [−1, 1], smoothed by a Gaussian of std `sigma`
 * and scaled by `alpha` (draws from `rng`, the row field before the column field). The smoothing
 * makes neighbouring pixels move together, so strokes bend and thicken the way handwriting varies
 * between writers, which shifts, turns and scales do not cover.
 */
export function elasticDigits(data: MnistData, elastic: ElasticDistortion, rng: DataRng): MnistData {
  checkElastic(elastic, 'elastic');
  if (elastic.alpha === 0) return data;
  const taps = gaussianTaps(elastic.sigma);
  const pixels = MNIST_SIDE * MNIST_SIDE;
  const noise = new Float64Array(pixels);
  const randomField = () => {
    for (let i = 0; i < pixels; i++) noise[i] = elastic.alpha * (2 * rng.next() - 1);
    // Scaling before smoothing is the same field: the smoothing is linear.
    return smoothField(noise, taps);
  };
  const images = new Float32Array(data.images.length);
  for (let n = 0; n < data.count; n++) {
    const dRow = randomField();
    const dCol = randomField();
    displaceDigit(data.images.subarray(n * pixels, (n + 1) * pixels), images.subarray(n * pixels, (n + 1) * pixels), dRow, dCol);
  }
  return { count: data.count, images, labels: data.labels };
}
