// A graph and feeds built the same way in Node and in Deno (imports only core): a linear layer
// into a LIF-like elementwise scan over 4,096 neurons, big enough that 2 threads split its kernels.
import { tensor, trace, type Graph, type HostTensor } from '@spikeflow/core';

export const [T, B, I, N] = [6, 8, 24, 512];

export function denoGraph(): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const w = b.input('w', [I, N]);
    const current = x.matmul(w);
    const { outputs } = b.scan({
      carries: [b.constant(0, [B, N])],
      sequences: [current],
      body: (_b, [v], [it]) => {
        const u = v!.mul(0.9).add(it!);
        const s = u.greater(1).cast('f32');
        return { carries: [u.sub(s)], outputs: [s] };
      },
    });
    return { spikes: outputs[0]!, count: outputs[0]!.sum(0) };
  });
}

/** Deterministic feeds in [-1, 1) (a linear congruential sequence). */
export function denoFeeds(): Record<string, HostTensor> {
  let s = 12345;
  const next = (n: number) =>
    Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return (2 * s) / 2 ** 32 - 1;
    });
  return { x: tensor([T, B, I], next(T * B * I)), w: tensor([I, N], next(I * N)) };
}
