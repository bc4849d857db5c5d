/**
 * Fixtures come from one small seeded generator (mulberry32) on the host, so every implementation
 * is fed the very same numbers and a run is reproducible.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), this.state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** U(low, high), rounded to multiples of 1/grid when a grid is given. */
  uniform(n: number, low: number, high: number, grid?: number): Float32Array<ArrayBuffer> {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = low + (high - low) * this.next();
      out[i] = grid === undefined ? u : Math.round(u * grid) / grid;
    }
    return out;
  }

  /** 0/1 spikes firing with probability p. */
  bernoulli(n: number, p: number): Float32Array<ArrayBuffer> {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() < p ? 1 : 0;
    return out;
  }

  /** Integers in 0 .. count - 1. */
  ints(n: number, count: number): Int32Array<ArrayBuffer> {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * count);
    return out;
  }
}
