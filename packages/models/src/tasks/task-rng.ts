import { fail } from '@spikeflow/core';
import { mulberry32 } from '../random/mulberry32.js';

/**
 * The seeded generator of the task generators (mulberry32). Tasks draw their
 * episodes on the host, one number after another, so a small sequential generator is enough;
 * core's Philox streams serve the graph's random ops on the device instead.
 *
 * A seed is an integer in [0, 2^53). Its two 32-bit words and a stream number are folded into
 * the state by murmur3's fmix32 finaliser, so seeds that differ only in their high word, and
 * streams of one seed (episodes vs input noise), start far apart.
 */
export class TaskRng {
  private state: number;

  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) fail('spec', 'seed', 'a task seed must be an integer in [0, 2^53)', '[0, 2^53)', String(seed));
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x100000000) >>> 0;
    this.state = fmix32(lo ^ fmix32(hi ^ fmix32((stream + 0x9e3779b9) >>> 0)));
  }

  /** A uniform number in [0, 1) with 32 random bits. */
  uniform(): number {
    const { state, value } = mulberry32(this.state);
    this.state = state;
    return value;
  }

  /** A uniform integer in [0, n); the bias of flooring is below n / 2^32. */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** 1 with probability p, else 0. */
  bernoulli(p: number): 0 | 1 {
    return this.uniform() < p ? 1 : 0;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const v = values[i]!;
      values[i] = values[j]!;
      values[j] = v;
    }
    return values;
  }
}

/** murmur3's 32-bit finaliser: every input bit flips each output bit with probability ~1/2. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniformly random permutation of 0..n-1, a pure function of (n, seed). */
export function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return new TaskRng(seed).shuffle(p);
}
