
/**
 * Index division by a size from the size table, as a multiply by a reciprocal. A u32 division
 * whose divisor is not a compile-time constant is one hardware divide per lane: lavapipe, the
 * software device the project measures on, splits the vector into eight scalar divides (a
 * broadcast bias's `i / N` was a tenth of W2's step). The size table carries, beside a divisor d,
 * its magic number m = ceil(2^(31+l) / d) and l = floor(log2 d); then for every n < 2^30,
 * floor(n / d) = floor(n · m / 2^(31+l)) (Granlund and Montgomery's bound: n · (m·d − 2^(31+l))
 * < 2^(31+l) holds because m·d − 2^(31+l) < d ≤ 2^(l+1)). WGSL has no 32 × 32 → 64-bit multiply,
 * so `fast_div` builds the product from 16-bit halves.
 */

/**
 * The largest tensor (in elements) whose indices are divided this way: exact below 2^30, and
 * half that leaves room for the indices a kernel computes past the end and never stores. Larger
 * tensors (a shape-class boundary) divide plainly.
 */
export const FAST_DIVISION_ELEMENTS = 2 ** 29;

/** What the helpers need of a kernel's size table (KernelSizes; not imported, as kernel-source.ts imports this file). */
interface SizeTable {
  readonly baked: boolean;
  of(n: number): string;
}

/** The size-table values for divisor `d`: its magic number and shift (see above). */
export function divisionMagic(d: number): { readonly magic: number; readonly shift: number } {
  if (!Number.isInteger(d) || d < 1 || d > 2 ** 30) throw new Error(`internal: no fast division by ${d}`);
  const shift = Math.floor(Math.log2(d));
  const exponent = 31n + BigInt(shift);
  const magic = ((1n << exponent) + BigInt(d) - 1n) / BigInt(d);
  return { magic: Number(magic), shift };
}

/** WGSL of `fast_div(n, magic, shift)`: floor(n / d) for n < 2^30, d's magic and shift from divisionMagic. */
export const FAST_DIVIDE_WGSL = [
  'fn fast_div(n: u32, magic: u32, shift: u32) -> u32 {',
  '  let n0 = n & 0xffffu;',
  '  let n1 = n >> 16u;',
  '  let m0 = magic & 0xffffu;',
  '  let m1 = magic >> 16u;',
  '  let n0m1 = n0 * m1;',
  '  let n1m0 = n1 * m0;',
  '  // Bits 16.. of the 64-bit product n · magic, before the high word: at most three 16-bit terms.',
  '  let mid = ((n0 * m0) >> 16u) + (n0m1 & 0xffffu) + (n1m0 & 0xffffu);',
  '  let high = n1 * m1 + (n0m1 >> 16u) + (n1m0 >> 16u) + (mid >> 16u);',
  '  // The product shifted right by 31 (high < 2^29 for n < 2^30), then by the shift.',
  '  return ((high << 1u) | ((mid >> 15u) & 1u)) >> shift;',
  '}',
].join('\n');

/** A module's code with `fast_div` declared when its code calls it. */
export function withFastDivision(code: string): string {
  return code.includes('fast_div(') ? `${code}\n${FAST_DIVIDE_WGSL}` : code;
}

/**
 * WGSL: floor(`n` / `d`) for an index `n` into a tensor of `elements`; a plain division when the
 * sizes are baked in (a constant divisor compiles to a multiply already) or the tensor is too large.
 */
export function quotient(n: string, d: number, sizes: SizeTable, elements: number): string {
  if (sizes.baked || elements > FAST_DIVISION_ELEMENTS) return `(${n} / ${sizes.of(d)})`;
  const { magic, shift } = divisionMagic(d);
  return `fast_div(${n}, ${sizes.of(magic)}, ${sizes.of(shift)})`;
}

/** WGSL: `n` mod `d`, under quotient's conditions. */
export function remainder(n: string, d: number, sizes: SizeTable, elements: number): string {
  if (sizes.baked || elements > FAST_DIVISION_ELEMENTS) return `(${n} % ${sizes.of(d)})`;
  return `(${n} - ${quotient(n, d, sizes, elements)} * ${sizes.of(d)})`;
}
