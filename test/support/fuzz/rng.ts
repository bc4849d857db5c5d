import { testRandom } from '../test-data.js';

/**
 * The fuzzer's choices, from the tests' mulberry32 (independent of the framework's own Philox, so
 * a bug there cannot shape the graphs that test it). One stream per graph seed and purpose, so a
 * graph and its input data are the same whichever pack the graph runs in.
 */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number, purpose: number) {
    // Mix (seed, purpose) into one 32-bit state; Math.imul keeps it in 32 bits.
    this.next = testRandom(Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(purpose + 1, 0x165667b1));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('internal: pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight; entries of weight 0 are never chosen. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, item] of items) {
      if (r < w) return item;
      r -= w;
    }
    return items[items.length - 1]![1];
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }
}
