import { fail, feedToTypedArray, sizeOf, tensor, type DType, type FeedValue, type HostTensor, type TensorType } from '@spikeflow/core';

/** The words a value of this dtype holds in the shared memory (i32 for i32; u32 bits; bool as 0/1). */
export type WordArray = Float32Array | Int32Array | Uint32Array;

function wordArray(dtype: DType, size: number): WordArray {
  if (dtype === 'f32') return new Float32Array(size);
  if (dtype === 'u32') return new Uint32Array(size);
  return new Int32Array(size);
}

/** A fed value as the words its memory holds, rejected with the field's name if it does not fit. */
export function feedToWords(value: FeedValue, type: TensorType, field: string): WordArray {
  return feedToTypedArray(value, type, field, wordArray);
}

/**
 * A fed value of a declared spike input (see spikeInputsAsBool) as the bool words its memory
 * holds: checked and stored in its declared type as any feed is (float32 rounding included, as
 * WebGPU packs such an input), then every element must be 0 or 1, else ONE error naming it.
 */
export function spikeFeedToWords(value: FeedValue, declared: TensorType, field: string): Int32Array {
  const values = feedToWords(value, declared, field);
  const words = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 0 && v !== 1) fail('feed', declared.shape.length === 0 ? field : `${field}[${i}]`, 'a spike input holds only 0 and 1', '0 or 1', String(v));
    words[i] = v;
  }
  return words;
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
