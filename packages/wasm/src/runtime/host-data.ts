import { copyFeed, sizeOf, spikeAt, tensor, type DType, type FeedElements, type HostTensor, type TensorType } from '@spikeflow/core';

/** The words a value of this dtype holds in the shared memory (i32 for i32; u32 bits; bool as 0/1). */
export type WordArray = Float32Array | Int32Array | Uint32Array;

function wordArray(dtype: DType, size: number): WordArray {
  if (dtype === 'f32') return new Float32Array(size);
  if (dtype === 'u32') return new Uint32Array(size);
  return new Int32Array(size);
}

/** Stores a feed checked by core's `checkFeed`/`checkGathered` straight into the memory at a byte offset, as the words of the dtype. */
export function writeCheckedFeed(memory: WebAssembly.Memory, offset: number, dtype: DType, gathered: FeedElements): void {
  const size = gathered.size;
  const view = dtype === 'f32' ? new Float32Array(memory.buffer, offset, size) : dtype === 'u32' ? new Uint32Array(memory.buffer, offset, size) : new Int32Array(memory.buffer, offset, size);
  copyFeed(gathered, view);
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
  const words = wordArray(type.dtype, size);
  new Uint8Array(words.buffer).set(new Uint8Array(memory.buffer, offset, 4 * size));
  return tensor(type.shape, words, type.dtype);
}
