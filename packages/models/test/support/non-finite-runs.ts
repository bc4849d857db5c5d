// Runs shared by the CPU and WebGPU tests of the trainer's non-finite checks, so both backends
// are held to the same hand-worked steps.
import { SpikeflowError, type TrainBackend } from '@spikeflow/core';
import { expect } from 'vitest';
import { Trainer, type TrainerOptions } from '../../src/trainer/index.js';
import { poisonedBackend } from './poisoned-backend.js';

/** The SpikeflowError a promise rejects with (failing the test when it resolves or rejects otherwise). */
export async function rejectionOf(promise: Promise<unknown>): Promise<SpikeflowError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpikeflowError);
  return error as SpikeflowError;
}

/**
 * One NaN written into `linear2/w` after step 8 (epoch 2 of 6-step epochs) goes unseen until the
 * check at the end of that epoch, which must name the first param then non-finite, by step 12.
 * Returns the stopped trainer for further checks.
 */
export async function expectStopAtEpochEnd(backend: TrainBackend, options: Omit<TrainerOptions, 'backend'>): Promise<Trainer> {
  const trainer = await Trainer.create({ ...options, backend: poisonedBackend(backend, { afterStep: 8, state: 'linear2/w', index: 5 }) });
  const error = await rejectionOf(trainer.runEpochs(3));
  // The NaN spreads through the next four steps' gradients; the truth is a host scan of the params.
  const params = await trainer.params();
  const nonFinite = (name: string) => params[name]!.data.filter((v) => !Number.isFinite(v)).length;
  const first = trainer.trained.find((name) => nonFinite(name) > 0)!;
  expect(error.where).toBe(first);
  expect(error.message).toContain(`param '${first}' turned non-finite by step 12, epoch 2 (since the check after step 6, which found every param finite)`);
  expect(error.found).toBe(`${nonFinite(first)} NaN or infinite values`);
  return trainer;
}
