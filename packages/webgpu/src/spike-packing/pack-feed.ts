import { fail } from '@spikeflow/core';
import { packedWords } from './bit-layout.js';

/**
 * A fed spike train as the packed words its buffer holds (element e is bit e % 32 of word e / 32).
 * The compiler trusted the input to hold only 0 and 1; any other value is rejected here, naming
 * the input, so the trust is checked at every feed.
 */
export function packSpikeFeed(values: ArrayLike<number>, field: string): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(packedWords(values.length));
  for (let e = 0; e < values.length; e++) {
    const v = values[e]!;
    if (v === 1) words[e >>> 5] = (words[e >>> 5]! | (1 << (e & 31))) >>> 0;
    else if (v !== 0) fail('feed', field, `a spike input holds only 0 and 1 (element ${e})`, '0 or 1', String(v));
  }
  return words;
}
