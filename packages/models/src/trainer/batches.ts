import { allocData, fail, formatShape, sizeOf, type HostTensor } from '@spikeflow/core';
import type { DataRng } from './data-rng.js';
import { coordinatesOf, firstNonFinite } from './finite.js';

/** A data set field whose samples lie along `axis` (default 0; 1 for time-major [T, N, ...]). */
export interface BatchField {
  readonly tensor: HostTensor;
  readonly axis?: number;
}

export interface MinibatchOptions {
  readonly batchSize: number;
  /** Shuffles the samples first (one permutation for every field, so samples stay aligned). */
  readonly rng?: DataRng;
  /** Keep a last, smaller batch. Off by default: a compiled graph has a fixed batch size. */
  readonly keepLast?: boolean;
}

/** Samples `indices` along `axis`: out[..., j, ...] = t[..., indices[j], ...]. */
export function takeSamples(t: HostTensor, axis: number, indices: readonly number[]): HostTensor {
  const shape = t.type.shape;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const dim = shape[axis]!;
  const data = allocData(t.type.dtype, outer * indices.length * inner, t.data instanceof Float64Array ? 'f64' : 'f32');
  for (let o = 0; o < outer; o++) {
    indices.forEach((k, j) => {
      const from = (o * dim + k) * inner;
      data.set(t.data.subarray(from, from + inner), (o * indices.length + j) * inner);
    });
  }
  const outShape = [...shape];
  outShape[axis] = indices.length;
  return { type: { shape: outShape, dtype: t.type.dtype }, data };
}

/** Rejects a field holding NaN or an infinity, naming the field and the sample (its index along `axis`). */
function expectFiniteField(name: string, t: HostTensor, axis: number): void {
  const bad = firstNonFinite(t.data);
  if (bad < 0) return;
  const inner = sizeOf(t.type.shape.slice(axis + 1));
  const sample = Math.floor(bad / inner) % t.type.shape[axis]!;
  fail('feed', `data.${name}`, `sample ${sample} holds a non-finite value at ${coordinatesOf(t.type.shape, bad)}; training on it would turn the params into NaN`, 'finite values', String(t.data[bad]));
}

/**
 * Splits a data set held in host tensors into minibatches of `batchSize` samples, every field
 * sliced along its sample axis by the same (optionally shuffled) indices. A field holding NaN or
 * an infinity is rejected, naming the sample.
 */
export function minibatches(fields: Readonly<Record<string, HostTensor | BatchField>>, options: MinibatchOptions): Record<string, HostTensor>[] {
  const { batchSize, rng, keepLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) fail('attr', 'batchSize', 'the batch size must be a positive integer', 'an integer >= 1', String(batchSize));
  const entries = Object.entries(fields).map(([name, f]) => {
    const field: BatchField = 'tensor' in f ? f : { tensor: f };
    const axis = field.axis ?? 0;
    const shape = field.tensor.type.shape;
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) fail('attr', `data.${name}.axis`, 'the sample axis is not an axis of the tensor', `an integer in [0, ${shape.length})`, String(axis));
    expectFiniteField(name, field.tensor, axis);
    return { name, tensor: field.tensor, axis, count: shape[axis]! };
  });
  if (entries.length === 0) fail('feed', 'data', 'a data set needs at least one field', 'a field', 'none');
  const n = entries[0]!.count;
  for (const e of entries) {
    if (e.count !== n) fail('feed', `data.${e.name}`, `the fields hold different numbers of samples (${entries[0]!.name} has ${n})`, `${n} along axis ${e.axis}`, `${e.count} in ${formatShape(e.tensor.type.shape)}`);
  }
  const order = rng === undefined ? Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
  const out: Record<string, HostTensor>[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    if (indices.length < batchSize && !keepLast) break;
    out.push(Object.fromEntries(entries.map((e) => [e.name, takeSamples(e.tensor, e.axis, indices)])));
  }
  return out;
}
