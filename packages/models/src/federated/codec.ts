import { fail } from '@spikeflow/core';
import type { TaskRng } from '../tasks/task-rng.js';

/**
 * How a client's params travel to the server after its local steps. A codec turns one param
 * tensor's values (flattened, row-major) into bytes and back; the byte length is what the round
 * is charged. Tensor names, shapes and their order are fixed by the model both sides hold, so they
 * are not sent.
 *
 * `sends` says what the values are: the client's params themselves (`params`), or their change
 * since the global params of the round (`change`), which a lossy codec (top-k, quantisation)
 * approximates; the server adds the decoded change back to the global params it sent.
 */
export interface UpdateCodec {
  /** For logs and results, e.g. `float32` or `top-k 10%`. */
  readonly name: string;
  readonly sends: 'params' | 'change';
  /** The bytes sent for one tensor's values; `rng` serves codecs that round stochastically. */
  encode(values: ArrayLike<number>, rng: TaskRng): Uint8Array;
  /** The values the server reads from `bytes`, for a tensor of `length` values. */
  decode(bytes: Uint8Array, length: number): Float64Array;
}

/** Bytes of one float32 value. */
export const FLOAT32_BYTES = 4;

/**
 * Every value as a little-endian float32: 4 bytes per value, lossless for float32 params. This is
 * plain FedAvg's upload, and the server's broadcast of the averaged params in every round.
 */
export function float32Codec(): UpdateCodec {
  return {
    name: 'float32',
    sends: 'params',
    encode(values) {
      const bytes = new Uint8Array(values.length * FLOAT32_BYTES);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < values.length; i++) view.setFloat32(i * FLOAT32_BYTES, values[i]!, true);
      return bytes;
    },
    decode(bytes, length) {
      expectByteLength('float32', bytes, length * FLOAT32_BYTES);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return Float64Array.from({ length }, (_, i) => view.getFloat32(i * FLOAT32_BYTES, true));
    },
  };
}

/** A message whose length does not match the tensor it claims to hold is rejected, naming the codec. */
export function expectByteLength(codec: string, bytes: Uint8Array, expected: number): void {
  if (bytes.byteLength !== expected) fail('feed', codec, "the message's length does not fit the tensor it is decoded into", `${expected} bytes`, `${bytes.byteLength}`);
}
