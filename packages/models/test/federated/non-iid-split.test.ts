import { describe, expect, it } from 'vitest';
import { classSplit, loadMnist, mnistSplit } from '../../src/index.js';

describe('classSplit (pathological non-IID)', () => {
  it('puts exactly two classes on each of 10 clients and every MNIST training digit on exactly one', async () => {
    const { train } = mnistSplit(await loadMnist());
    const parts = classSplit(train.labels, { clients: 10, classesPerClient: 2, classes: 10, seed: 4 });
    expect(parts).toHaveLength(10);
    const seen = new Int32Array(train.count);
    const holders = new Array<number>(10).fill(0);
    for (const part of parts) {
      const classes = new Set(Array.from(part, (i) => train.labels[i]!));
      expect(classes.size).toBe(2);
      for (const c of classes) holders[c]!++;
      for (const i of part) seen[i]!++;
    }
    expect(Array.from(seen).every((n) => n === 1)).toBe(true);
    expect(holders).toEqual(new Array(10).fill(2)); // with K = C each class lies on two clients
    // A class's digits are halved between its two clients (an odd count: one more on one side).
    for (let c = 0; c < 10; c++) {
      const shares = parts.map((p) => Array.from(p).filter((i) => train.labels[i] === c).length).filter((n) => n > 0);
      expect(shares).toHaveLength(2);
      expect(Math.abs(shares[0]! - shares[1]!)).toBeLessThanOrEqual(1);
    }
  });

  it('follows the class ring by hand and is a pure function of the seed', () => {
    // Labels 0,1,2 each twice; 3 clients of 2 classes; the clients of a class share its samples.
    const labels = [0, 1, 2, 0, 1, 2];
    const parts = classSplit(labels, { clients: 3, classesPerClient: 2, classes: 3, seed: 1 });
    const classesOf = parts.map((p) => [...new Set(Array.from(p, (i) => labels[i]!))].sort());
    // Client k holds π(k) and π(k + 1): every pair of distinct classes once.
    expect(classesOf.map((c) => c.join()).sort()).toEqual(['0,1', '0,2', '1,2']);
    expect(parts.map((p) => p.length)).toEqual([2, 2, 2]);
    expect(classSplit(labels, { clients: 3, classesPerClient: 2, classes: 3, seed: 1 })).toEqual(parts);
    const other = [2, 3, 5].map((seed) => classSplit(labels, { clients: 3, classesPerClient: 2, classes: 3, seed }));
    expect(other.some((p) => JSON.stringify(p) !== JSON.stringify(parts))).toBe(true);
  });

  it('rejects labels outside the classes and a split that leaves classes without a client', () => {
    expect(() => classSplit([0, 3], { clients: 2, classesPerClient: 2, classes: 3, seed: 0 })).toThrow(/labels\[1\]/);
    expect(() => classSplit([0, 1], { clients: 2, classesPerClient: 2, classes: 10, seed: 0 })).toThrow(/'clients'/);
    expect(() => classSplit([0, 1], { clients: 2, classesPerClient: 3, classes: 2, seed: 0 })).toThrow(/classesPerClient/);
  });
});
