/**
 * Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011), the counter-based generator of Random123 and cuRAND. It is stateless: the output is
 * a pure function of (counter, key), so every element of a random tensor can be computed
 * independently by its own GPU thread, and every backend gets exactly the same bits.
 *
 * Everything here uses only operations WGSL has on `u32` (wrapping add and multiply, xor,
 * shifts), so the WebGPU backend can transcribe it line for line: JS `Math.imul(a, b) >>> 0` is
 * WGSL `a * b`, and `x >>> n` is `x >> n`.
 *
 * ## Stream layout
 *
 * A *stream* is (seed s, counter c, salt t, domain d). Element i (row-major flat index) of the
 * stream is drawn from one Philox call:
 *
 *     words = philox4x32([i, c, t, d], [s mod 2^32, floor(s / 2^32)])
 *     uniform(i) = (words[0] >>> 8) * 2^-24                              in [0, 1), exact in f32
 *     normal(i)  = sqrt(-2 ln(1 - U(words[0]))) * cos(2π U(words[1]))   Box-Muller, U as above
 *
 * The `uniform`, `normal` and `bernoulli` primitives use t = 0, d = DOMAIN_OP and c = the
 * step fed as their `counter` input (an i32 is reinterpreted as u32); `bernoulli` is
 * `uniform(i) < p`. Initializers use c = 0, t = fnv1a32(name), d = DOMAIN_INIT, so each param
 * gets its own numbers and never shares a stream with a random op. Seeds are integers in
 * [0, 2^53), so the whole seed goes into the key.
 *
 * `uniform` and `bernoulli` are bit-exact across backends. `normal` goes through log, sqrt and
 * cos, whose last bits differ between a CPU and a GPU, so it agrees within a few ulp.
 */

export type U32x4 = [number, number, number, number];
export type U32x2 = [number, number];

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9; // golden ratio
const W1 = 0xbb67ae85; // sqrt(3) - 1
const ROUNDS = 10;

/**
 * High 32 bits of the 64-bit product of two u32s, from 16-bit halves: every partial product
 * is < 2^32, so it fits a u32 (WGSL has no 64-bit integers or mulhi).
 */
export function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const ll = Math.imul(aLo, bLo) >>> 0;
  const lh = Math.imul(aLo, bHi) >>> 0;
  const hl = Math.imul(aHi, bLo) >>> 0;
  const hh = Math.imul(aHi, bHi) >>> 0;
  // Carry out of the low word: the middle products' low halves plus ll's high half (< 3 * 2^16).
  const carry = ((ll >>> 16) + (lh & 0xffff) + (hl & 0xffff)) >>> 16;
  // The true high word is < 2^32, so these u32 additions never wrap.
  return (hh + (lh >>> 16) + (hl >>> 16) + carry) >>> 0;
}

/** Philox4x32 with 10 rounds. Inputs and outputs are u32 words (numbers in [0, 2^32)). */
export function philox4x32(counter: Readonly<U32x4>, key: Readonly<U32x2>): U32x4 {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let r = 0; r < ROUNDS; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  return [c0, c1, c2, c3];
}

/** The top 24 bits of a u32 as a float in [0, 1 - 2^-24]; every value is exact in f32. */
export function u32ToUniform(x: number): number {
  return (x >>> 8) * 5.960464477539063e-8; // 2^-24
}

/**
 * One standard normal from two uniforms in [0, 1) by Box-Muller (cosine branch). `1 - u1` lies
 * in (0, 1], so the log never sees 0.
 */
export function boxMuller(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** 32-bit FNV-1a over the UTF-8 bytes of a string: names a stream per param. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h >>> 0;
}

/** Domain tags (counter word 3), keeping random-op and initializer streams apart. */
export const DOMAIN_OP = 0;
export const DOMAIN_INIT = 1;

export const MAX_SEED = 2 ** 53 - 1;

export function isValidSeed(seed: unknown): seed is number {
  return Number.isSafeInteger(seed) && (seed as number) >= 0;
}

/** Philox key of a seed in [0, 2^53): its low and high 32-bit words. */
export function seedKey(seed: number): U32x2 {
  return [seed >>> 0, Math.floor(seed / 0x100000000) >>> 0];
}

export interface Stream {
  readonly key: Readonly<U32x2>;
  /** Counter word 1: the step. */
  readonly counter: number;
  /** Counter word 2. */
  readonly salt: number;
  /** Counter word 3. */
  readonly domain: number;
}

/** The stream of a random op: seed from its attrs, counter from its `counter` input. */
export function opStream(seed: number, counter: number): Stream {
  return { key: seedKey(seed), counter: counter >>> 0, salt: 0, domain: DOMAIN_OP };
}

/** The stream of an initializer: the seed mixed with a hash of the leaf's name. */
export function initStream(seed: number, name: string): Stream {
  return { key: seedKey(seed), counter: 0, salt: fnv1a32(name), domain: DOMAIN_INIT };
}

/** The four Philox words of element `index` of a stream. */
export function streamWords(stream: Stream, index: number): U32x4 {
  return philox4x32([index >>> 0, stream.counter, stream.salt, stream.domain], stream.key);
}

/** Element `index` of a stream as a uniform in [0, 1). */
export function streamUniform(stream: Stream, index: number): number {
  return u32ToUniform(streamWords(stream, index)[0]);
}

/** Element `index` of a stream as a standard normal. */
export function streamNormal(stream: Stream, index: number): number {
  const w = streamWords(stream, index);
  return boxMuller(u32ToUniform(w[0]), u32ToUniform(w[1]));
}
