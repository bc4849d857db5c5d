/**
 * WGSL transcription of core's rng/philox.ts, line for line, so every backend draws the same
 * bits: Philox4x32-10 on u32 words only (WGSL has no 64-bit integers and no mulhi), and the
 * stream layout of the random primitives: element i of (seed, counter) is
 * philox4x32((i, counter, 0, 0), (seed mod 2^32, floor(seed / 2^32))).
 *
 * `rng_uniform` is bit-exact with the CPU: the top 24 bits of word 0 times 2^-24 is exact in f32.
 * `rng_normal` is Box-Muller in f32, so it agrees within the rounding of log, sqrt and cos
 * (at most 1.9e-6 apart over 10^6 draws on lavapipe).
 */
export const PHILOX_WGSL = `fn philox_mulhi(a: u32, b: u32) -> u32 {
  // High word of a 64-bit product from 16-bit halves: every partial product fits a u32.
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let ll = a_lo * b_lo;
  let lh = a_lo * b_hi;
  let hl = a_hi * b_lo;
  let carry = ((ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu)) >> 16u;
  return a_hi * b_hi + (lh >> 16u) + (hl >> 16u) + carry;
}
fn philox4x32(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    if (r > 0u) { k += vec2u(0x9e3779b9u, 0xbb67ae85u); }
    let hi0 = philox_mulhi(0xd2511f53u, c.x);
    let lo0 = 0xd2511f53u * c.x;
    let hi1 = philox_mulhi(0xcd9e8d57u, c.z);
    let lo1 = 0xcd9e8d57u * c.z;
    c = vec4u(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}
fn rng_words(seed_lo: u32, seed_hi: u32, i: u32, counter: u32) -> vec4u {
  return philox4x32(vec4u(i, counter, 0u, 0u), vec2u(seed_lo, seed_hi));
}
fn rng_u32_to_uniform(x: u32) -> f32 {
  return f32(x >> 8u) * 5.9604644775390625e-8;
}
fn rng_uniform(seed_lo: u32, seed_hi: u32, i: u32, counter: u32) -> f32 {
  return rng_u32_to_uniform(rng_words(seed_lo, seed_hi, i, counter).x);
}
fn rng_neg_log1m(u: f32) -> f32 {
  // -ln(1 - u). Near 1 a GPU's log is accurate only in absolute terms (2^-21 in WGSL), which
  // would swamp a small result, so small u uses -ln(1 - u) = 2 atanh(u / (2 - u)) by its series.
  if (u >= 0.0625) { return -log(1.0 - u); }
  let z = u / (2.0 - u);
  let z2 = z * z;
  return 2.0 * z * (1.0 + z2 * (0.33333334 + z2 * (0.2 + z2 * 0.14285715)));
}
fn rng_normal(seed_lo: u32, seed_hi: u32, i: u32, counter: u32) -> f32 {
  let w = rng_words(seed_lo, seed_hi, i, counter);
  let radius = sqrt(2.0 * rng_neg_log1m(rng_u32_to_uniform(w.x)));
  return radius * cos(6.283185307179586 * rng_u32_to_uniform(w.y));
}`;
