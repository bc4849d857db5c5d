import { fail } from '@spikeflow/core';
import { expectByteLength, type UpdateCodec } from './codec.js';

/** Bytes of a quantised tensor's header: its lowest value and the step, as little-endian float64. */
export const QUANTISE_HEADER_BYTES = 16;

export interface QuantiserOptions {
  /** Bits per value, 1 to 16: 2^bits levels spread evenly from the tensor's min to its max. */
  readonly bits: number;
  /**
   * `nearest`: the closest level (error at most half a step). `stochastic` (default): the level
   * below or above with the probabilities that make the decoded value unbiased (error below one
   * step), drawn from the round's seeded generator.
   */
  readonly rounding?: 'nearest' | 'stochastic';
}

/** The levels of one tensor: value(q) = lo + q · step for q in 0 .. 2^bits − 1. */
export function quantisationGrid(values: ArrayLike<number>, bits: number): { lo: number; step: number; top: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const top = 2 ** bits - 1;
  return { lo, step: (hi - lo) / top, top };
}

/** Bytes of `length` codes of `bits` bits, packed. */
export function packedBytes(length: number, bits: number): number {
  return Math.ceil((length * bits) / 8);
}

/**
 * Uniform quantisation of each tensor's change since the global params (QSGD-like, one scale per
 * tensor). Sent: the header (lo and step as float64, 16 bytes, so the half-step bound is not
 * spoilt by rounding the grid) and every value's level index in `bits` bits, packed least
 * significant bit first: 16 + ⌈n · bits / 8⌉ bytes.
 */
export function quantiseCodec(options: QuantiserOptions): UpdateCodec {
  const { bits, rounding = 'stochastic' } = options;
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) fail('attr', 'quantise.bits', 'bits per value must be an integer from 1 to 16', '1 .. 16', String(bits));
  if (rounding !== 'nearest' && rounding !== 'stochastic') fail('attr', 'quantise.rounding', 'unknown rounding', 'nearest or stochastic', String(rounding));
  const name = `${bits}-bit ${rounding}`;
  return {
    name,
    sends: 'change',
    encode(values, rng) {
      if (values.length === 0) fail('attr', name, 'cannot quantise an empty tensor', 'at least one value', '0');
      const { lo, step, top } = quantisationGrid(values, bits);
      if (!Number.isFinite(lo + step)) fail('nan', name, 'the values to quantise are not all finite', 'finite values', `min ${lo}, step ${step}`);
      const bytes = new Uint8Array(QUANTISE_HEADER_BYTES + packedBytes(values.length, bits));
      const view = new DataView(bytes.buffer);
      view.setFloat64(0, lo, true);
      view.setFloat64(8, step, true);
      for (let i = 0; i < values.length; i++) {
        const t = step === 0 ? 0 : (values[i]! - lo) / step;
        const q = rounding === 'nearest' ? Math.round(t) : Math.floor(t + rng.uniform());
        writeBits(bytes, QUANTISE_HEADER_BYTES * 8 + i * bits, bits, Math.min(top, Math.max(0, q)));
      }
      return bytes;
    },
    decode(bytes, length) {
      expectByteLength(name, bytes, QUANTISE_HEADER_BYTES + packedBytes(length, bits));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const lo = view.getFloat64(0, true);
      const step = view.getFloat64(8, true);
      if (!Number.isFinite(lo) || !(step >= 0 && Number.isFinite(step))) fail('feed', name, 'the header holds no usable grid', 'a finite min and a finite step >= 0', `min ${lo}, step ${step}`);
      return Float64Array.from({ length }, (_, i) => lo + readBits(bytes, QUANTISE_HEADER_BYTES * 8 + i * bits, bits) * step);
    },
  };
}

/** Writes `value` (< 2^bits) at bit `at`, least significant bit first. */
function writeBits(bytes: Uint8Array, at: number, bits: number, value: number): void {
  for (let b = 0; b < bits; b++) if ((value >>> b) & 1) bytes[(at + b) >>> 3]! |= 1 << ((at + b) & 7);
}

function readBits(bytes: Uint8Array, at: number, bits: number): number {
  let value = 0;
  for (let b = 0; b < bits; b++) value |= ((bytes[(at + b) >>> 3]! >>> ((at + b) & 7)) & 1) << b;
  return value;
}
