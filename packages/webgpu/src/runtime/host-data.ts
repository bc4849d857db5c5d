import { fail, formatShape, sizeOf, tensor, type DType, type FeedValue, type HostTensor, type TensorType } from '@spikeflow/core';

/** Typed arrays over plain ArrayBuffers, as queue.writeBuffer takes. */
export type GpuArray = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

/** The typed array a GPU buffer of this dtype holds (bool as u32 0/1). */
export function gpuArray(dtype: DType, size: number): GpuArray {
  if (dtype === 'f32') return new Float32Array(size);
  if (dtype === 'i32') return new Int32Array(size);
  return new Uint32Array(size);
}

/** A fed value as the typed array its GPU buffer holds, rejected with the field's name if it does not fit. */
export function feedToGpu(value: FeedValue, type: TensorType, field: string): GpuArray {
  const size = sizeOf(type.shape);
  const out = gpuArray(type.dtype, Math.max(1, size));
  if (typeof value === 'number') {
    if (type.shape.length !== 0) fail('feed', field, 'a scalar was fed to a tensor', formatShape(type.shape), 'a number');
    out[0] = value;
    return out;
  }
  if ('type' in value && 'data' in value) {
    if (value.type.shape.length !== type.shape.length || value.type.shape.some((d, i) => d !== type.shape[i])) {
      fail('feed', field, 'fed tensor has the wrong shape', formatShape(type.shape), formatShape(value.type.shape));
    }
    if (value.type.dtype !== type.dtype) fail('feed', field, 'fed tensor has the wrong dtype', type.dtype, value.type.dtype);
    out.set(value.data);
    return out;
  }
  if (value.length !== size) fail('feed', field, `fed array has the wrong length for shape ${formatShape(type.shape)}`, `${size} elements`, `${value.length}`);
  for (let i = 0; i < size; i++) out[i] = value[i]!;
  return out;
}

/** A host tensor from a read-back buffer (bool back to 0/1 bytes). */
export function hostFromGpu(bytes: ArrayBuffer, type: TensorType): HostTensor {
  const size = sizeOf(type.shape);
  const view = type.dtype === 'f32' ? new Float32Array(bytes, 0, size) : type.dtype === 'i32' ? new Int32Array(bytes, 0, size) : new Uint32Array(bytes, 0, size);
  return tensor(type.shape, view, type.dtype);
}
