/** mulberry32 test data in [lo, hi): deterministic, and independent of the framework's own generators. */
export function testData(seed: number, n: number, lo: number, hi: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + ((hi - lo) * ((t ^ (t >>> 14)) >>> 0)) / 4294967296;
  });
}
