import { expect } from 'vitest';
import { SpikeflowError, evaluate, toArray, trace, type DType, type FeedValue, type GraphBuilder, type HostTensor, type Precision, type Shape, type Tensor } from '../../src/index.js';

/** Traces `build`, evaluates it (f64 unless told) and returns every output. */
export function run(
  build: (b: GraphBuilder) => Record<string, Tensor>,
  inputs: Record<string, FeedValue> = {},
  precision: Precision = 'f64',
): Record<string, HostTensor> {
  return evaluate(trace(build), { inputs }, { precision }).outputs;
}

/** Shape and values of `t` in one object, for a single toEqual. */
export function seen(t: HostTensor): { shape: Shape; dtype: DType; values: number[] } {
  return { shape: t.type.shape, dtype: t.type.dtype, values: toArray(t) };
}

/** Asserts that tracing `build` fails with `code` and a message containing every part. */
export function rejects(build: (b: GraphBuilder) => Record<string, Tensor>, code: string, parts: string[]): void {
  let error: unknown;
  try {
    trace(build);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SpikeflowError);
  expect((error as SpikeflowError).code).toBe(code);
  for (const part of parts) expect((error as SpikeflowError).message).toContain(part);
}

/** The SpikeflowError `fn` throws (failing the test when it throws nothing or something else). */
export function errorOf(fn: () => unknown): SpikeflowError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SpikeflowError);
    return e as SpikeflowError;
  }
  throw new Error('expected a SpikeflowError, but nothing was thrown');
}
