/**
 * How closely the WebAssembly backend must match the CPU reference evaluated in float32. An element
 * passes when it is the reference's value bit for bit, or at most `ulps` units in the last place
 * from it, or within `rel * max(1, |cpu|)` of it. Each bound says why it holds (docs/wasm.md).
 */
export interface WasmTolerance {
  /** Largest distance in float32 units in the last place; 0 with no `rel`: bit for bit. */
  readonly ulps: number;
  /** Largest |wasm - cpu| / max(1, |cpu|), for float32 sums the kernels take in another order. */
  readonly rel?: number;
  readonly why: string;
}

/** The CPU rules' float32 operations in their order: every elementwise op but the transcendentals, views, copies, max, Philox's uniform and bernoulli. */
export const BITS: WasmTolerance = { ulps: 0, why: 'the same float32 operations in the same order as the CPU rules' };

/** A transcendental: the measured bound of its polynomial (docs/wasm.md, Math accuracy). */
export function ulpsOf(op: string, ulps: number): WasmTolerance {
  return { ulps, why: `${op}: within ${ulps} ulp of the CPU rule (float64 Math, rounded to float32)` };
}

/**
 * Sums of up to ~150 float32 terms (|term| <= ~4) in the kernels' order (SIMD lanes, K blocks,
 * row splits) rather than the CPU's left-to-right one: each order is within n·2^-24·Σ|terms| of the
 * exact sum, and for terms of random sign the two differ by about √n·2^-24·Σ|terms| — under 1e-6 of
 * max(1, |sum|) here (observed at most 9e-7 on the gradient and convolution cases). Gradient cases
 * count here for their loss (a sum) and the sums inside VJPs (broadcast gradients, matmul, conv).
 */
export const REORDERED_SUM: WasmTolerance = { ulps: 0, rel: 1e-5, why: 'float32 sums of up to ~150 terms in another order (SIMD lanes, K blocks)' };

/** A 300-term dot product, or a 150,003-term mean, in another order: the WebGPU reduction bound (observed 1.3e-5 on the 300-term one). */
export const LONG_SUM: WasmTolerance = { ulps: 0, rel: 1e-4, why: 'float32 sums of 300 and more terms in another order' };

/** Box–Muller in float32: within 8e-7·|z| + 2e-7 of core's float64 value (docs/wasm.md, Philox), plus core's own rounding to float32. */
export const NORMAL_DRAWS: WasmTolerance = { ulps: 0, rel: 1.1e-6, why: 'normal draws: float32 Box–Muller within 8e-7·|z| + 2e-7 of core' };

/** The ulp distance of two float32 values (adjacent floats are 1 apart, +0 and -0 are 0 apart). */
export function ulpDistance(a: number, b: number): number {
  const view = new Int32Array(new Float32Array([a, b]).buffer);
  const ordered = (i: number) => (i < 0 ? -(i & 0x7fffffff) : i);
  return Math.abs(ordered(view[0]!) - ordered(view[1]!));
}

/** How much of `tolerance` the element uses: 0 when equal, over 1 when it fails. */
export function wasmShare(got: number, expected: number, tolerance: WasmTolerance): number {
  // Object.is: bit for bit tells -0 from +0 (the ulp distance does not).
  if (Object.is(got, expected) || (Number.isNaN(got) && Number.isNaN(expected))) return 0;
  if (!Number.isFinite(got) || !Number.isFinite(expected)) return Infinity;
  const byUlps = tolerance.ulps > 0 ? ulpDistance(got, expected) / tolerance.ulps : Infinity;
  const byRel = tolerance.rel !== undefined ? Math.abs(got - expected) / Math.max(1, Math.abs(expected)) / tolerance.rel : Infinity;
  return Math.min(byUlps, byRel);
}
