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
/**
 * High 32 bits of the 64-bit product of two u32s, from 16-bit halves: every partial product
 * is < 2^32, so it fits a u32 (WGSL has no 64-bit integers or mulhi).
 */
export declare function mulhi32(a: number, b: number): number;
/** Philox4x32 with 10 rounds. Inputs and outputs are u32 words (numbers in [0, 2^32)). */
export declare function philox4x32(counter: Readonly<U32x4>, key: Readonly<U32x2>): U32x4;
/** The top 24 bits of a u32 as a float in [0, 1 - 2^-24]; every value is exact in f32. */
export declare function u32ToUniform(x: number): number;
/**
 * One standard normal from two uniforms in [0, 1) by Box-Muller (cosine branch). `1 - u1` lies
 * in (0, 1], so the log never sees 0.
 */
export declare function boxMuller(u1: number, u2: number): number;
/** 32-bit FNV-1a over the UTF-8 bytes of a string: names a stream per param. */
export declare function fnv1a32(text: string): number;
/** Domain tags (counter word 3), keeping random-op and initializer streams apart. */
export declare const DOMAIN_OP = 0;
export declare const DOMAIN_INIT = 1;
export declare const MAX_SEED: number;
export declare function isValidSeed(seed: unknown): seed is number;
/** Philox key of a seed in [0, 2^53): its low and high 32-bit words. */
export declare function seedKey(seed: number): U32x2;
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
export declare function opStream(seed: number, counter: number): Stream;
/** The stream of an initializer: the seed mixed with a hash of the leaf's name. */
export declare function initStream(seed: number, name: string): Stream;
/** The four Philox words of element `index` of a stream. */
export declare function streamWords(stream: Stream, index: number): U32x4;
/** Element `index` of a stream as a uniform in [0, 1). */
export declare function streamUniform(stream: Stream, index: number): number;
/** Element `index` of a stream as a standard normal. */
export declare function streamNormal(stream: Stream, index: number): number;
