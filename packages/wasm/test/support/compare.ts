import { evaluate, type FeedValue, type Graph, type HostTensor } from '@spikeflow/core';
import { spawnNodeWorker } from '../../src/node.js';
import { WasmExecutable } from '../../src/runtime/executable.js';

/** A graph compiled for `threads` threads (Node worker threads past the first). */
export function compiled(graph: Graph, threads = 1, seed = 0): Promise<WasmExecutable> {
  return WasmExecutable.create(graph, { threads, spawn: spawnNodeWorker, seed });
}

/** The CPU reference's outputs in float32. */
export function reference(graph: Graph, inputs: Readonly<Record<string, FeedValue>>, params: Readonly<Record<string, FeedValue>> = {}): Record<string, HostTensor> {
  return evaluate(graph, { inputs, params }, { precision: 'f32' }).outputs as Record<string, HostTensor>;
}

/** The bits of float32 values, so `toEqual` compares bit for bit (NaN and -0 included). */
export const bits = (t: HostTensor): number[] => Array.from(new Uint32Array(Float32Array.from(t.data).buffer));

/** Largest |a − b| over two tensors of equal size. */
export const maxAbsDiff = (a: HostTensor, b: HostTensor): number => Array.from(a.data).reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i]!)), 0);

/** Deterministic values in [-1, 1) (a linear congruential sequence), or small integers with `integers`. */
export function values(n: number, seed: number, integers = false): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    return integers ? Math.floor(u * 7) - 3 : 2 * u - 1;
  });
}
