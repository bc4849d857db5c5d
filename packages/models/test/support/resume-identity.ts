import type { HostTensor } from '@spikeflow/core';
import { expect } from 'vitest';
import { decodeCheckpoint, type Checkpoint } from '../../src/checkpoint/index.js';
import { Trainer, type EpochMetrics, type TrainerOptions } from '../../src/trainer/index.js';

export interface ResumeComparison {
  /** The checkpoint after 1 epoch, the one resumed from. */
  readonly saved: Uint8Array;
  /** The uninterrupted run's checkpoint after 2 epochs. */
  readonly expected: Checkpoint;
  readonly resumed: Trainer;
}

/**
 * Trains 2 epochs straight and 1 + 1 epochs through a checkpoint, and expects the resumed run to
 * end bit for bit where the uninterrupted one did: progress, every state tensor, the last loss.
 * `afterResume` sees the resumed trainer before it trains. The caller destroys `resumed`.
 */
export async function expectResumeIdentity(options: TrainerOptions, afterResume: (resumed: Trainer) => void = () => {}): Promise<ResumeComparison> {
  const whole = await Trainer.create(options);
  const wholeHistory: EpochMetrics[] = await whole.runEpochs(2);
  const expected = decodeCheckpoint(await whole.checkpoint());
  whole.destroy();

  const first = await Trainer.create(options);
  await first.runEpochs(1);
  const saved = await first.checkpoint();
  first.destroy();
  const resumed = await Trainer.create(options);
  await resumed.resume(saved);
  afterResume(resumed);
  const resumedHistory = await resumed.runEpochs(1);
  const got = decodeCheckpoint(await resumed.checkpoint());

  expect(got.progress).toEqual(expected.progress);
  expect(Object.keys(got.tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
  for (const [name, t] of Object.entries(expected.tensors)) expect(Array.from(got.tensors[name]!.data), name).toEqual(Array.from((t as HostTensor).data));
  expect(resumedHistory[0]!.loss).toBe(wholeHistory[1]!.loss);
  return { saved, expected, resumed };
}
