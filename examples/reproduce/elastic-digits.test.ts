import { SeededRng } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { displaceDigit, elasticDigits, gaussianTaps, smoothField } from './elastic-digits.js';

/** One 28×28 image holding `value` at (row, col). */
function onePixel(row: number, col: number, value = 1): Float32Array {
  const image = new Float32Array(784);
  image[row * 28 + col] = value;
  return image;
}

const litPixels = (image: ArrayLike<number>) => Array.from(image, (v, i) => [Math.floor(i / 28), i % 28, v] as const).filter(([, , v]) => Math.abs(v) > 1e-9);

describe('gaussianTaps', () => {
  it('is a normalised Gaussian reaching 4σ each side', () => {
    const taps = gaussianTaps(1.5);
    expect(taps).toHaveLength(2 * 6 + 1);
    expect(taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Neighbouring taps differ by exp(−((k+1)² − k²)/(2σ²)).
    expect(taps[7]! / taps[6]!).toBeCloseTo(Math.exp(-1 / (2 * 1.5 * 1.5)), 12);
    expect(taps[8]! / taps[7]!).toBeCloseTo(Math.exp(-3 / (2 * 1.5 * 1.5)), 12);
  });
});

describe('smoothField', () => {
  it('spreads a point into the outer product of the taps, and cuts the taps off at the border instead of renormalising', () => {
    const taps = gaussianTaps(1); // 9 taps, centre index 4
    const inside = smoothField(Float64Array.from(onePixel(13, 13)), taps);
    for (const [row, col, value] of litPixels(inside)) expect(value).toBeCloseTo(taps[row - 13 + 4]! * taps[col - 13 + 4]!, 12);
    expect(litPixels(inside)).toHaveLength(81);
    const corner = smoothField(Float64Array.from(onePixel(0, 0)), taps);
    expect(corner[0]).toBeCloseTo(taps[4]! * taps[4]!, 12);
    expect(litPixels(corner)).toHaveLength(25);
  });

  it('gives white noise uniform in [−1, 1] the variance (1/3)·(Σ taps²)² where no tap is cut off', () => {
    const taps = gaussianTaps(2); // reaches 8 px each side of the centre pixel 13
    const sumSquares = taps.reduce((a, t) => a + t * t, 0);
    const rng = new SeededRng(7);
    const draws = 4000;
    let total = 0;
    for (let n = 0; n < draws; n++) {
      const smoothed = smoothField(Float64Array.from({ length: 784 }, () => 2 * rng.next() - 1), taps);
      total += smoothed[13 * 28 + 13]! ** 2;
    }
    // 4,000 draws estimate a variance to about ±2.2% (one sd); ±8% is beyond chance but catches a wrong scale.
    expect(total / draws / ((sumSquares * sumSquares) / 3)).toBeGreaterThan(0.92);
    expect(total / draws / ((sumSquares * sumSquares) / 3)).toBeLessThan(1.08);
  });
});

describe('displaceDigit', () => {
  const field = (value: number) => new Float64Array(784).fill(value);

  it('moves ink up one row when every pixel samples one row below', () => {
    const dst = new Float32Array(784);
    displaceDigit(onePixel(10, 5), dst, field(1), field(0));
    expect(litPixels(dst)).toEqual([[9, 5, 1]]);
  });

  it('splits ink evenly between two pixels at a half-pixel displacement', () => {
    const dst = new Float32Array(784);
    displaceDigit(onePixel(10, 5), dst, field(0), field(0.5));
    expect(litPixels(dst)).toEqual([[10, 4, 0.5], [10, 5, 0.5]]);
  });
});

describe('elasticDigits', () => {
  const digits = { count: 2, images: new Float32Array(2 * 784).map((_, i) => ((i % 784) % 28 === 14 ? 1 : 0)), labels: Int32Array.of(1, 7) };

  it('bends every digit by its own field, keeps the labels, and repeats under the same seed', () => {
    const a = elasticDigits(digits, { alpha: 34, sigma: 4 }, new SeededRng(3));
    const b = elasticDigits(digits, { alpha: 34, sigma: 4 }, new SeededRng(3));
    expect(a.labels).toEqual(digits.labels);
    expect(a.images).toEqual(b.images);
    expect(a.images.subarray(0, 784)).not.toEqual(digits.images.subarray(0, 784));
    expect(a.images.subarray(0, 784)).not.toEqual(a.images.subarray(784));
    for (const v of a.images) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('returns the digits themselves at α = 0, and names the field it rejects', () => {
    expect(elasticDigits(digits, { alpha: 0, sigma: 4 }, new SeededRng(1))).toBe(digits);
    expect(() => elasticDigits(digits, { alpha: -1, sigma: 4 }, new SeededRng(1))).toThrow(/elastic\.alpha/);
    expect(() => elasticDigits(digits, { alpha: 34, sigma: 0 }, new SeededRng(1))).toThrow(/elastic\.sigma/);
  });
});
