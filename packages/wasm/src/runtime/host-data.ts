import { copyFeed, sizeOf, spikeAt, tensor, type DType, type FeedElements, type HostTensor, type TensorType } from '@spikeflow/core';

/** The words a value of this dtype holds in the shared memory (i32 for i32; u32 bits; bool as 0/1). */
export type WordArray = Float32Array | Int32Array | Uint32Array;

/** The typed array of a dtype's words. */
const wordsOf = (dtype: DType) => (dtype === 'f32' ? Float32Array : dtype === 'u32' ? Uint32Array : Int32Array);

/** Stores a feed checked by core's `checkFeed`/`checkGathered` straight into the memory at a byte offset, as the words of the dtype. */
export function writeCheckedFeed(memory: WebAssembly.Memory, offset: number, dtype: DType, gathered: FeedElements): void {
  copyFeed(gathered, new (wordsOf(dtype))(memory.buffer, offset, gathered.size));
}

/** Stores a feed checked by core's `checkSpikeElements` as the bool words its memory holds. */
export function writeSpikeFeed(memory: WebAssembly.Memory, offset: number, { elements, size }: FeedElements): void {
  const words = new Int32Array(memory.buffer, offset, size);
  for (let i = 0; i < size; i++) words[i] = spikeAt(elements, i);
}

/** Writes words at a byte offset of the memory. */
export function writeWords(memory: WebAssembly.Memory, offset: number, words: WordArray): void {
  new Uint8Array(memory.buffer, offset, words.byteLength).set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
}

/** A host tensor copied from the memory at a byte offset. */
export function hostFromMemory(memory: WebAssembly.Memory, offset: number, type: TensorType): HostTensor {
  const size = sizeOf(type.shape);
  const Words = wordsOf(type.dtype);
  const words = new Words(size);
  words.set(new Words(memory.buffer, offset, size));
  return tensor(type.shape, words, type.dtype);
}
