// The page's binary MNIST asset holds the `mnist` package's digits exactly, in a tenth of the bytes.
import { loadMnist } from '@spikeflow/models';
import { describe, expect, it } from 'vitest';
import { decodeMnist, encodeMnist } from './mnist-asset.js';

describe('MNIST binary asset', () => {
  it('round-trips all 10,000 digits exactly, in 1 + 784 bytes per digit', async () => {
    const digits = await loadMnist();
    const bytes = encodeMnist(digits);
    expect(bytes.length).toBe(4 + digits.count * 785);
    const back = decodeMnist(bytes);
    expect(back.count).toBe(digits.count);
    // Index of the first difference (-1: none); toEqual on 7.8 million values is far too slow.
    const firstDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.prototype.findIndex.call(a, (v: number, i: number) => v !== b[i]);
    expect(firstDifference(back.labels, digits.labels)).toBe(-1);
    expect(firstDifference(back.images, digits.images)).toBe(-1);
  });

  it('rejects a truncated file and an intensity it cannot hold', () => {
    const one = { count: 1, labels: Int32Array.of(3), images: new Float32Array(784) };
    const bytes = encodeMnist(one);
    expect(() => decodeMnist(bytes.subarray(0, bytes.length - 1))).toThrow(/header says 1 digits, which take 789 bytes, but the file has 788/);
    one.images[5] = 0.5;
    expect(() => encodeMnist(one)).toThrow(/images\[5\] = 0.5 is not an intensity k\/255/);
  });
});
