/**
 * mulberry32 (Tommy Ettinger): deterministic test data shared by every package's tests, and
 * independent of the framework's own generators (so a bug there cannot hide in the data).
 */
export function testRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` uniforms in [lo, hi) from `testRandom(seed)`. */
export function testData(seed: number, n: number, lo = 0, hi = 1): number[] {
  const next = testRandom(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * next());
}
