import { SpikeflowError } from '@spikeflow/core';
import { expect } from 'vitest';

/** The SpikeflowError a call throws (failing the test when it throws nothing or something else). */
export function thrown(f: () => unknown): SpikeflowError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(SpikeflowError);
    return error as SpikeflowError;
  }
  throw new Error('expected the call to throw');
}
