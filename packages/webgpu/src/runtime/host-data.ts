import { checkFeed, copyFeed, sizeOf, tensor, type DType, type FeedValue, type HostTensor, type TensorType } from '@spikeflow/core';

/** Typed arrays over plain ArrayBuffers, as queue.writeBuffer takes. */
export type GpuArray = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

/** The typed array a GPU buffer of this dtype holds (bool as u32 0/1). */
export function gpuArray(dtype: DType, size: number): GpuArray {
  if (dtype === 'f32') return new Float32Array(size);
  if (dtype === 'i32') return new Int32Array(size);
  return new Uint32Array(size);
}

/** A fed value as the typed array its GPU buffer holds (never empty), rejected with the field's name if it does not fit. */
export function feedToGpu(value: FeedValue, type: TensorType, field: string): GpuArray {
  return checkedToGpu(checkFeed(value, type, field), type.dtype);
}

/**
 * Elements checked by core's `checkFeed` as the typed array a GPU buffer of `dtype` holds: the
 * caller's own array when it already is one (queue.writeBuffer copies it at once), else a copy.
 */
export function checkedToGpu(elements: ArrayLike<number>, dtype: DType): GpuArray {
  const ready = dtype === 'f32' ? elements instanceof Float32Array : dtype === 'i32' ? elements instanceof Int32Array : elements instanceof Uint32Array;
  if (ready && elements.length > 0 && (elements as GpuArray).buffer instanceof ArrayBuffer) return elements as GpuArray;
  const out = gpuArray(dtype, Math.max(1, elements.length));
  copyFeed(elements, out);
  return out;
}

/** A host tensor from a read-back buffer (bool back to 0/1 bytes). */
export function hostFromGpu(bytes: ArrayBuffer, type: TensorType): HostTensor {
  const size = sizeOf(type.shape);
  const view = type.dtype === 'f32' ? new Float32Array(bytes, 0, size) : type.dtype === 'i32' ? new Int32Array(bytes, 0, size) : new Uint32Array(bytes, 0, size);
  return tensor(type.shape, view, type.dtype);
}
