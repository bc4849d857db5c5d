/** A seeded host-side random source: DEEP R's rewiring runs on the host, between GPU steps. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/**
 * mulberry32 with Box-Muller normals: tiny, fast and reproducible across JS engines, which is
 * all host-side rewiring needs (the graph's own random ops use Philox, keyed per backend-free step).
 */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform,
    normal: () => {
      const u1 = 1 - uniform(); // (0, 1]: log stays finite
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * uniform());
    },
  };
}
