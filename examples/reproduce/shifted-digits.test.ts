import { SeededRng } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { shiftedDigits } from './shifted-digits.js';

/** One 28×28 digit holding a single lit pixel at (row, col). */
function onePixel(row: number, col: number) {
  const images = new Float32Array(784);
  images[row * 28 + col] = 1;
  return { count: 1, images, labels: Int32Array.of(7) };
}

describe('shiftedDigits', () => {
  it('moves each digit by a whole offset within ±maxShift and keeps its label', () => {
    for (let seed = 0; seed < 20; seed++) {
      const shifted = shiftedDigits(onePixel(14, 14), 2, new SeededRng(seed));
      const lit = shifted.images.findIndex((v) => v === 1);
      expect(shifted.images.reduce((a, v) => a + v, 0)).toBe(1);
      expect(Math.abs(Math.floor(lit / 28) - 14)).toBeLessThanOrEqual(2);
      expect(Math.abs((lit % 28) - 14)).toBeLessThanOrEqual(2);
      expect(shifted.labels[0]).toBe(7);
    }
  });

  it('drops pixels moved off the image instead of wrapping them', () => {
    const sums = Array.from({ length: 40 }, (_, seed) => shiftedDigits(onePixel(0, 27), 2, new SeededRng(seed)).images.reduce((a, v) => a + v, 0));
    expect(sums).toContain(0);
    expect(sums).toContain(1);
  });

  it('is the identity at maxShift 0', () => {
    const digit = onePixel(3, 5);
    expect(shiftedDigits(digit, 0, new SeededRng(1))).toBe(digit);
  });
});
