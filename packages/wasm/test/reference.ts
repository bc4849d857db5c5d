// Plain JavaScript references for the kernel tests.

/** Deterministic floats in [-1, 1) (a 32-bit LCG), so failures reproduce. */
export function randomFloats(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** C = A·B in float64, and Σ_k |a_ik·b_kj| per element (the scale of its rounding error). */
export function matmulF64(a: Float32Array, b: Float32Array, m: number, k: number, n: number): { c: Float64Array; magnitude: Float64Array } {
  const c = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const term = a[i * k + p]! * b[p * n + j]!;
        sum += term;
        abs += Math.abs(term);
      }
      c[i * n + j] = sum;
      magnitude[i * n + j] = abs;
    }
  }
  return { c, magnitude };
}

/**
 * C = A·B rounded to float32 after every operation in the order the SIMD kernel uses: within each
 * block of `kBlock` k's, s = fl(s + fl(a·b)) from s = 0; then c = s for the first block, else
 * c = fl(c + s). The kernel must match this bit for bit.
 */
export function matmulF32InKernelOrder(a: Float32Array, b: Float32Array, m: number, k: number, n: number, kBlock: number): Float32Array {
  const f = Math.fround;
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let total = 0;
      for (let k0 = 0; k0 < k; k0 += kBlock) {
        let s = 0;
        for (let p = k0; p < Math.min(k, k0 + kBlock); p++) s = f(s + f(a[i * k + p]! * b[p * n + j]!));
        total = k0 === 0 ? s : f(total + s);
      }
      c[i * n + j] = total;
    }
  }
  return c;
}
