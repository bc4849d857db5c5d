import type { HostTensor } from '@spikeflow/core';
import type { TaskRng } from '../tasks/task-rng.js';
import type { UpdateCodec } from './codec.js';

/** One message per param, in the order of `names`. */
export type Upload = readonly Uint8Array[];

/** A client's message: each param's values (or their change since `global`, as the codec sends) encoded. */
export function encodeUpload(codec: UpdateCodec, names: readonly string[], local: Readonly<Record<string, HostTensor>>, global: Readonly<Record<string, HostTensor>>, rng: TaskRng): Upload {
  return names.map((name) => {
    const values = local[name]!.data;
    if (codec.sends === 'params') return codec.encode(values, rng);
    const base = global[name]!.data;
    return codec.encode(Float64Array.from(values, (v, i) => v - base[i]!), rng);
  });
}

/** The client's params as the server reads them from its message: the decoded values, or `global` plus the decoded change. */
export function decodeUpload(codec: UpdateCodec, names: readonly string[], upload: Upload, global: Readonly<Record<string, HostTensor>>): Record<string, Float64Array> {
  return Object.fromEntries(
    names.map((name, j) => {
      const base = global[name]!.data;
      const decoded = codec.decode(upload[j]!, base.length);
      if (codec.sends === 'change') for (let i = 0; i < decoded.length; i++) decoded[i]! += base[i]!;
      return [name, decoded];
    }),
  );
}

/** The bytes a message takes. */
export function uploadBytes(upload: Upload): number {
  return upload.reduce((sum, message) => sum + message.byteLength, 0);
}
