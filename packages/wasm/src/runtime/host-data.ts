import { checkFeed, copyFeed, fail, sizeOf, tensor, type DType, type FeedValue, type HostTensor, type TensorType } from '@spikeflow/core';

/** The words a value of this dtype holds in the shared memory (i32 for i32; u32 bits; bool as 0/1). */
export type WordArray = Float32Array | Int32Array | Uint32Array;

function wordArray(dtype: DType, size: number): WordArray {
  if (dtype === 'f32') return new Float32Array(size);
  if (dtype === 'u32') return new Uint32Array(size);
  return new Int32Array(size);
}

/** Stores elements checked by core's `checkFeed` straight into the memory at a byte offset, as the words of the dtype. */
export function writeCheckedFeed(memory: WebAssembly.Memory, offset: number, dtype: DType, elements: ArrayLike<number>): void {
  const size = elements.length;
  const view = dtype === 'f32' ? new Float32Array(memory.buffer, offset, size) : dtype === 'u32' ? new Uint32Array(memory.buffer, offset, size) : new Int32Array(memory.buffer, offset, size);
  copyFeed(elements, view);
}

/**
 * The elements of a fed value of a declared spike input (see spikeInputsAsBool), checked as any
 * feed of its declared type is, then each must be 0 or 1 once rounded to that type (as WebGPU
 * packs such an input), else ONE error naming it. Nothing is written here (see writeSpikeFeed).
 */
export function checkSpikeFeed(value: FeedValue, declared: TensorType, field: string): ArrayLike<number> {
  const elements = checkFeed(value, declared, field);
  const round = declared.dtype === 'f32' ? Math.fround : (v: number) => v;
  for (let i = 0, size = elements.length; i < size; i++) {
    const v = round(elements[i]!);
    if (v !== 0 && v !== 1) fail('feed', declared.shape.length === 0 ? field : `${field}[${i}]`, 'a spike input holds only 0 and 1', '0 or 1', String(elements[i]));
  }
  return elements;
}

/** Stores a checked spike feed as the bool words its memory holds (an element past 0.5 rounded to 1). */
export function writeSpikeFeed(memory: WebAssembly.Memory, offset: number, elements: ArrayLike<number>): void {
  const words = new Int32Array(memory.buffer, offset, elements.length);
  for (let i = 0, size = elements.length; i < size; i++) words[i] = elements[i]! >= 0.5 ? 1 : 0;
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
