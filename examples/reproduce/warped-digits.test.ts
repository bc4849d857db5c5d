import { SeededRng } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { warpDigit, warpedDigits } from './warped-digits.js';

/** One 28×28 digit holding a single lit pixel at (row, col). */
function onePixel(row: number, col: number): Float32Array {
  const image = new Float32Array(784);
  image[row * 28 + col] = 1;
  return image;
}

const litPixels = (image: Float32Array) => [...image.keys()].filter((i) => image[i]! > 1e-6).map((i) => [Math.floor(i / 28), i % 28, image[i]!]);

describe('warpDigit', () => {
  it('is the identity at angle 0 and scale 1', () => {
    const src = onePixel(5, 20);
    const dst = new Float32Array(784);
    warpDigit(src, dst, 0, 1);
    expect(litPixels(dst)).toEqual([[5, 20, 1]]);
  });

  it('turns a quarter turn exactly: (row, col) lands on (col, 27 − row), worked out about the centre 13.5', () => {
    // The offset from the centre (−8.5, +6.5) turned by +90° (clockwise on screen, rows counting down) is (+6.5, +8.5).
    const dst = new Float32Array(784);
    warpDigit(onePixel(5, 20), dst, Math.PI / 2, 1);
    const [[row, col, value]] = litPixels(dst) as [[number, number, number]];
    expect([row, col]).toEqual([20, 22]);
    expect(value).toBeCloseTo(1, 5);
  });

  it('doubles a digit about the centre at scale 2: pixel (15, 13) spreads over its neighbours by bilinear weights', () => {
    // Target (row, col) samples source 13.5 + (row − 13.5)/2; source ink at (15, 13) is reached from rows 16..17, cols 12..13.
    const dst = new Float32Array(784);
    warpDigit(onePixel(15, 13), dst, 0, 2);
    const expected = new Map([
      ['16,12', 0.75 * 0.75], ['16,13', 0.75 * 0.75], ['17,12', 0.75 * 0.75], ['17,13', 0.75 * 0.75],
      ['15,12', 0.25 * 0.75], ['15,13', 0.25 * 0.75], ['18,12', 0.25 * 0.75], ['18,13', 0.25 * 0.75],
      ['16,11', 0.75 * 0.25], ['17,11', 0.75 * 0.25], ['16,14', 0.75 * 0.25], ['17,14', 0.75 * 0.25],
      ['15,11', 0.25 * 0.25], ['15,14', 0.25 * 0.25], ['18,11', 0.25 * 0.25], ['18,14', 0.25 * 0.25],
    ]);
    const lit = litPixels(dst);
    expect(lit).toHaveLength(expected.size);
    for (const [row, col, value] of lit) expect(value).toBeCloseTo(expected.get(`${row},${col}`)!, 6);
  });
});

describe('warpedDigits', () => {
  const digit = { count: 1, images: onePixel(10, 14), labels: Int32Array.of(3) };

  it('keeps labels and moves ink no further than the largest turn and scale allow', () => {
    for (let seed = 0; seed < 20; seed++) {
      const warped = warpedDigits(digit, { maxDegrees: 10, maxScale: 0.1 }, new SeededRng(seed));
      expect(warped.labels[0]).toBe(3);
      // The lit pixel sits 3.5 rows and 0.5 cols from the centre (3.54 px); at most 1.1·3.54 px from it after the warp, plus one pixel of bilinear spread.
      for (const [row, col] of litPixels(warped.images)) expect(Math.hypot(row! - 13.5, col! - 13.5)).toBeLessThanOrEqual(1.1 * Math.hypot(3.5, 0.5) + Math.SQRT2);
    }
  });

  it('is the identity when neither turn nor scale is allowed', () => {
    expect(warpedDigits(digit, { maxDegrees: 0, maxScale: 0 }, new SeededRng(1))).toBe(digit);
  });

  it('rejects a turn or scale that would flip or collapse a digit, naming the field', () => {
    expect(() => warpedDigits(digit, { maxDegrees: 90, maxScale: 0 }, new SeededRng(1))).toThrow(/warp\.maxDegrees/);
    expect(() => warpedDigits(digit, { maxDegrees: 5, maxScale: 1 }, new SeededRng(1))).toThrow(/warp\.maxScale/);
  });
});
