import { spikeAt, type FeedElements } from '@spikeflow/core';
import { packedWords } from './bit-layout.js';

/**
 * A fed spike train as the packed words its buffer holds (element e is bit e % 32 of word e / 32).
 * The compiler trusted the input to hold only 0 and 1; the caller has checked that trust with
 * core's `checkSpikeElements` at this feed (the same check, and error, as the WebAssembly backend's).
 */
export function packSpikeFeed({ elements, size }: FeedElements): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(packedWords(size));
  for (let e = 0; e < size; e++) if (spikeAt(elements, e) === 1) words[e >>> 5] = (words[e >>> 5]! | (1 << (e & 31))) >>> 0;
  return words;
}
