import { fail } from '@spikeflow/core';
import { expectByteLength, FLOAT32_BYTES, type UpdateCodec } from './codec.js';

/** Bytes of one sent entry: a u32 index and the float32 value. */
export const TOP_K_ENTRY_BYTES = 4 + FLOAT32_BYTES;

/** How many of `length` values a fraction keeps: ⌈fraction · length⌉, at least one. */
export function topKCount(fraction: number, length: number): number {
  return Math.max(1, Math.ceil(fraction * length));
}

/**
 * The indices of the k values of largest magnitude, in increasing index order. Equal magnitudes
 * go to the lower index, so the choice is a pure function of the values.
 */
export function topKIndices(values: ArrayLike<number>, k: number): Uint32Array {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!) || a - b);
  return Uint32Array.from(order.slice(0, k)).sort();
}

/**
 * Sparsified updates: each tensor's change since the global params keeps only its ⌈fraction · n⌉
 * entries of largest magnitude; the rest count as zero. An entry is sent as a little-endian u32
 * index and a float32 value, 8 bytes, so top-k pays off below half the values. The dropped part is
 * not carried to the next round (no error feedback).
 */
export function topKCodec(fraction: number): UpdateCodec {
  if (!(fraction > 0 && fraction <= 1)) fail('attr', 'topK.fraction', 'the fraction of values kept must lie in (0, 1]', '(0, 1]', String(fraction));
  const name = `top-k ${+(100 * fraction).toPrecision(3)}%`;
  return {
    name,
    sends: 'change',
    encode(values) {
      const indices = topKIndices(values, topKCount(fraction, values.length));
      const bytes = new Uint8Array(indices.length * TOP_K_ENTRY_BYTES);
      const view = new DataView(bytes.buffer);
      indices.forEach((index, j) => {
        view.setUint32(j * TOP_K_ENTRY_BYTES, index, true);
        view.setFloat32(j * TOP_K_ENTRY_BYTES + 4, values[index]!, true);
      });
      return bytes;
    },
    decode(bytes, length) {
      expectByteLength(name, bytes, topKCount(fraction, length) * TOP_K_ENTRY_BYTES);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out = new Float64Array(length);
      for (let at = 0; at < bytes.byteLength; at += TOP_K_ENTRY_BYTES) {
        const index = view.getUint32(at, true);
        if (index >= length) fail('feed', name, 'an index lies outside the tensor', `an index below ${length}`, String(index));
        out[index] = view.getFloat32(at + 4, true);
      }
      return out;
    },
  };
}
