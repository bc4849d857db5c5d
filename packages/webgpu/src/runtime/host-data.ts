import { checkFeed, copyFeed, sizeOf, type FeedElements, tensor, type DType, type FeedValue, type HostTensor, type TensorType } from '@spikeflow/core';

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

/** A feed checked by core's `checkFeed`/`checkGathered`, copied into the typed array a GPU buffer of `dtype` holds (never empty). */
export function checkedToGpu(gathered: FeedElements, dtype: DType): GpuArray {
  const out = gpuArray(dtype, Math.max(1, gathered.size));
  copyFeed(gathered, out);
  return out;
}

/** A host tensor from a read-back buffer (bool back to 0/1 bytes). */
export function hostFromGpu(bytes: ArrayBuffer, type: TensorType): HostTensor {
  const size = sizeOf(type.shape);
  const view = type.dtype === 'f32' ? new Float32Array(bytes, 0, size) : type.dtype === 'i32' ? new Int32Array(bytes, 0, size) : new Uint32Array(bytes, 0, size);
  return tensor(type.shape, view, type.dtype);
}
