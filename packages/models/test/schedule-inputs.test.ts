// The trainer feeds a model's scheduled inputs (masked PSN's λ) itself: the loss of a model whose
// loss IS its λ input reads back the value fed at every epoch, against maskedPsnLambda's formula
// worked by hand: λ = min(8·epoch/(epochs − 1), 1).
import { cpuBackend, SpikeflowError, trace } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { maskedPsn, maskedPsnLambdaInput, buildMaskedPsn } from '../src/psn/index.js';
import { scheduledInputs } from '../src/schedule-inputs.js';
import { sgd } from '../src/optim/sgd.js';
import { Trainer, type Batch, type EpochMetrics } from '../src/trainer/index.js';

const LAMBDA = maskedPsnLambdaInput('masked');

/** loss = λ (+ 0·w, so there is a param to train). */
const lambdaLoss = () =>
  trace((b) => {
    const w = b.param('w', [1], { kind: 'zeros' });
    return { loss: b.input(LAMBDA, []).add(w.mul(0).sum()) };
  });

async function run(epochs: number | undefined, count: number, batch: Batch = {}): Promise<EpochMetrics[]> {
  const trainer = await Trainer.create({
    backend: cpuBackend(),
    model: lambdaLoss(),
    optimizer: sgd(),
    schedule: 0.1,
    ...(epochs === undefined ? {} : { epochs }),
    data: { train: () => [batch, batch], test: () => [batch] },
  });
  try {
    return await trainer.runEpochs(count);
  } finally {
    trainer.destroy();
  }
}

describe('scheduled inputs', () => {
  it('finds a scalar f32 `lambda` under any scope, and nothing else', () => {
    const graph = trace((b) => {
      const y = b.scope('psn', () => buildMaskedPsn(b, b.input('x', [4, 2, 3]), maskedPsn(4, 2)));
      const other = b.input('other/lambda', [2]).sum().add(b.input('count/lambda', [], 'i32').cast('f32'));
      return { y, other };
    });
    expect(scheduledInputs(graph).map((i) => i.name)).toEqual(['psn/lambda']);
  });

  it("the trainer feeds λ of each epoch of the plan: 0, 1/2, 1 for epochs 0..2 of 17; held-out batches get the last epoch's", async () => {
    const history = await run(17, 3);
    expect(history.map((m) => m.loss)).toEqual([0, 0.5, 1]);
    expect(history.map((m) => m.testLoss)).toEqual([0, 0.5, 1]);
  });

  it('past the planned epochs λ keeps its last value', async () => {
    // epochs 2: λ(0) = 0, λ(1) = min(8/1, 1) = 1; a third epoch stays at 1.
    expect((await run(2, 3)).map((m) => m.loss)).toEqual([0, 1, 1]);
  });

  it("a batch's own value wins over the schedule", async () => {
    expect((await run(17, 2, { [LAMBDA]: 0.25 })).map((m) => m.loss)).toEqual([0.25, 0.25]);
    expect((await run(undefined, 1, { [LAMBDA]: 0.75 }))[0]!.loss).toBe(0.75);
  });

  it('without the planned epochs, an input left to the schedule is an error naming it', async () => {
    const error = await run(undefined, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpikeflowError);
    expect((error as SpikeflowError).where).toBe(LAMBDA);
    expect((error as Error).message).toMatch(/masked PSN's λ, which follows a schedule over the run/);
  });
});
