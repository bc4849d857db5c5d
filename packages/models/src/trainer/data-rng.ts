import { fail } from '@spikeflow/core';
import { mulberry32 } from '../random/mulberry32.js';

/** What a data pipeline may draw from the trainer's generator. */
export interface DataRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): number[];
  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
}

/**
 * The trainer's data generator (mulberry32). Its whole position is one u32, so a checkpoint can
 * store it and a resumed run draws the same shuffles as an uninterrupted one. It is separate
 * from the graph's Philox streams: reshuffling the data never changes the initial params.
 */
export class SeededRng implements DataRng {
  private s: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) fail('attr', 'seed', 'the seed must be a non-negative integer below 2^53', 'an integer in [0, 2^53)', String(seed));
    // Both halves of a 53-bit seed matter; the constant keeps this stream apart from test data seeded alike.
    this.s = ((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
  }

  /** The position, to store in a checkpoint. */
  get state(): number {
    return this.s;
  }

  /** Moves to a stored position. */
  restore(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) fail('checkpoint', 'progress.rng', 'a generator position is a u32', 'an integer in [0, 2^32)', String(state));
    this.s = state;
  }

  next(): number {
    const { state, value } = mulberry32(this.s);
    this.s = state;
    return value;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) fail('attr', 'rng.int', 'the range must hold at least one integer', 'an integer >= 1', String(n));
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates. */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  shuffle<T>(items: readonly T[]): T[] {
    return this.permutation(items.length).map((i) => items[i]!);
  }
}
