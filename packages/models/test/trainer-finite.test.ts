// The trainer's guards against NaN and infinities (on by default), on the CPU backend: feeds and
// labels are validated before their step, a non-finite loss or param stops the run naming the step
// (and the param), a diverging loss warns, and checkpoints holding NaN are neither written nor resumed.
import { cpuBackend, SpikeflowError, tensor, trace, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { adam, adamw, sgd } from '../src/index.js';
import { decodeCheckpoint, encodeCheckpoint } from '../src/checkpoint/index.js';
import { mse } from '../src/losses/index.js';
import { minibatches, train, Trainer, type Batch, type TrainerOptions } from '../src/trainer/index.js';
import { expectStopAtEpochEnd, rejectionOf } from './support/non-finite-runs.js';
import { poisonedBackend } from './support/poisoned-backend.js';
import { spikeClassifier, spikeData, spikeDataset, TASK } from './support/spike-task.js';

const errorOf = rejectionOf;

const values = (t: HostTensor) => Array.from(t.data);
const base = (): TrainerOptions => ({ backend: cpuBackend(), model: spikeClassifier(), optimizer: adam(), data: spikeData(), schedule: 0.05, seed: 2 });

/** The spike task's training batches in a fixed order, the `k`-th of the first epoch changed by `edit`. */
function editedBatch(k: number, edit: (batch: Record<string, HostTensor>) => void): TrainerOptions['data'] {
  const set = spikeDataset(48, 11);
  return {
    train: () => {
      const batches = minibatches({ x: { tensor: set.x, axis: 1 }, labels: set.labels }, { batchSize: TASK.B });
      edit(batches[k]!);
      return batches;
    },
  };
}

/** x [1, 1] = 1, y [1, 1] = 0, pred = x w with w [1, 1] starting at 1: loss = w^2, gradient 2w. */
function squareModel() {
  return trace((b) => {
    const pred = b.input('x', [1, 1]).matmul(b.param('w', [1, 1], { kind: 'ones' }));
    return { loss: mse(pred, b.input('y', [1, 1])) };
  });
}
const squareData = (steps: number) => ({ train: () => Array.from({ length: steps }, (): Batch => ({ x: [1], y: [0] })) });

describe('non-finite feeds and labels', () => {
  it('names the data field and the sample of a NaN in the data set', async () => {
    const set = spikeDataset(48, 11);
    const { I } = TASK;
    set.x.data[(2 * 48 + 17) * I + 5] = Number.NaN; // x[t = 2, n = 17, i = 5]
    const data = { train: () => minibatches({ x: { tensor: set.x, axis: 1 }, labels: set.labels }, { batchSize: TASK.B }) };
    const error = await errorOf(train({ ...base(), data, epochs: 1 }));
    expect(error.where).toBe('data.x');
    expect(error.message).toContain('sample 17 holds a non-finite value at [2, 17, 5]');
  });

  it('names the input, the element and the step of an infinity in a fed batch, before that step runs', async () => {
    const poisoned = editedBatch(2, (batch) => void (batch.x!.data[(1 * TASK.B + 6) * TASK.I + 3] = Number.POSITIVE_INFINITY)); // x[1, 6, 3] of batch 3
    const trainer = await Trainer.create({ ...base(), data: poisoned });
    const error = await errorOf(trainer.runEpochs(1));
    expect(error.where).toBe('inputs.x');
    expect(error.message).toContain('at [1, 6, 3] (step 3, epoch 1)');
    expect(trainer.step).toBe(2); // the poisoned step did not run

    // The params are those of exactly two steps on the same batches.
    const clean = await Trainer.create({ ...base(), data: { train: (rng, e) => [...(editedBatch(2, () => {}).train(rng, e) as Batch[])].slice(0, 2) } });
    await clean.runEpochs(1);
    expect(values((await trainer.params())['linear0/w']!)).toEqual(values((await clean.params())['linear0/w']!));
    for (const t of [trainer, clean]) t.destroy();
  });

  it('rejects labels outside [0, classes) for a 3-class cross-entropy, naming the sample', async () => {
    const seven = await errorOf(train({ ...base(), epochs: 1, data: editedBatch(0, (batch) => void (batch.labels!.data[4] = 7)) }));
    expect(seven.where).toBe('inputs.labels');
    expect(seven.message).toContain('the label at [4] is not a class index of the 3 classes (step 1, epoch 1)');
    expect(seven.found).toBe('7');
    const negative = await errorOf(train({ ...base(), epochs: 1, data: editedBatch(1, (batch) => void (batch.labels!.data[0] = -1)) }));
    expect(negative.message).toContain('the label at [0] is not a class index of the 3 classes (step 2, epoch 1)');
    // A plain array may hold a fraction, which the i32 input would truncate.
    const fraction = await errorOf(train({ ...base(), epochs: 1, data: { train: () => [{ x: spikeDataset(8, 1).x, labels: [0, 1, 2, 0, 1.5, 2, 0, 1] }] } }));
    expect(fraction.found).toBe('1.5');
    // Held-out labels are checked too.
    const heldOut = { ...spikeData(), test: () => [{ ...spikeDataset(8, 3), labels: tensor([8], [0, 1, 2, 3, 0, 1, 2, 0], 'i32') }] };
    const held = await errorOf(train({ ...base(), epochs: 1, data: heldOut }));
    expect(held.message).toContain('the label at [3] is not a class index of the 3 classes (held-out batch 1)');
  });
});

describe('Adam and AdamW reject an eps that lets 0 / 0 through', () => {
  it('rejects eps = 0 and an eps that is 0 in float32, naming eps', () => {
    expect(() => adam({ eps: 0 })).toThrow(/adam\.eps/);
    expect(() => adamw({ eps: 0 })).toThrow(/adamw\.eps/);
    expect(() => adam({ eps: 1e-50 })).toThrow(/adam\.eps/); // Math.fround(1e-50) === 0
    expect(() => adam({ eps: -1e-8 })).toThrow(/adam\.eps/);
    expect(() => adam({ eps: 1e-45 })).not.toThrow(); // the smallest f32 subnormal still guards
  });
});

describe('non-finite losses and params', () => {
  it('stops on a NaN loss, naming the param that turned NaN with it and the step (hand-worked)', async () => {
    // loss = sum(sqrt(w)), gradient 1 / (2 sqrt w), SGD lr 1 from w = 1: w1 = 0.5, w2 = 0.5 - 0.7071 < 0,
    // so the third step's loss is sqrt(-0.2071) = NaN, and its update makes w NaN.
    const model = trace((b) => ({ loss: b.param('w', [1], { kind: 'ones' }).sqrt().mul(b.input('x', [1])).sum() }));
    const error = await errorOf(train({ backend: cpuBackend(), model, optimizer: sgd(), schedule: 1, epochs: 1, data: { train: () => Array.from({ length: 5 }, () => ({ x: [1] })) } }));
    expect(error.code).toBe('nan');
    expect(error.where).toBe('w');
    expect(error.message).toContain("param 'w' turned non-finite by step 3, epoch 1 (since the start)");
    expect(error.found).toBe('1 NaN or infinite values');
  });

  it('stops on an infinite loss with finite params, after warning that the loss diverged (hand-worked)', async () => {
    // loss = w^2, SGD: w <- w - lr 2w. With lr 2, w <- -3w: the loss of step n is 9^(n-1). It passes
    // 10 x the first at step 3 (81), and overflows float32 at step 42 (9^41 = 1.3e39), w = 3^41 still finite.
    const warnings: string[] = [];
    const trainer = await Trainer.create({ backend: cpuBackend(), model: squareModel(), optimizer: sgd(), schedule: 2, data: squareData(50), onWarning: (m) => void warnings.push(m) });
    const error = await errorOf(trainer.runEpochs(1));
    expect(warnings).toEqual(['the loss diverges: 81 at step 3, epoch 1 is more than 10 times the first loss read, 1 at step 1; lower the learning rate']);
    expect(error.where).toBe('loss');
    expect(error.message).toContain('the loss is Infinity at step 42, epoch 1, though every param is still finite');
    expect(trainer.step).toBe(42);
    expect(Math.abs((await trainer.params()).w!.data[0]!)).toBeCloseTo(3 ** 42, -30); // after the 42nd update
    trainer.destroy();
  });

  it('does not warn for a converging run; warns at a stated factor', async () => {
    const warnings: string[] = [];
    const onWarning = (m: string) => void warnings.push(m);
    // lr 0.25: w halves, the loss quarters every step.
    const { trainer } = await train({ backend: cpuBackend(), model: squareModel(), optimizer: sgd(), schedule: 0.25, data: squareData(20), epochs: 2, onWarning });
    expect(warnings).toEqual([]);
    expect((await trainer.params()).w!.data[0]).toBe(0.5 ** 40);
    // lr 2 with a factor of 100: 9^(n-1) > 100 first at step 4 (729).
    await train({ backend: cpuBackend(), model: squareModel(), optimizer: sgd(), schedule: 2, data: squareData(5), epochs: 1, divergenceFactor: 100, onWarning });
    expect(warnings).toEqual(['the loss diverges: 729 at step 4, epoch 1 is more than 100 times the first loss read, 1 at step 1; lower the learning rate']);
    expect((await errorOf(Trainer.create({ ...base(), divergenceFactor: 1 }))).where).toBe('divergenceFactor');
    expect((await errorOf(Trainer.create({ ...base(), finiteCheckEvery: 0 }))).where).toBe('finiteCheckEvery');
  });

  it('stops when a param turns NaN while the loss stays finite: at the step, with finiteCheckEvery 1', async () => {
    const backend = poisonedBackend(cpuBackend(), { afterStep: 8, state: 'linear2/w', index: 5 });
    const trainer = await Trainer.create({ ...base(), backend, finiteCheckEvery: 1 });
    const error = await errorOf(trainer.runEpochs(3));
    expect(error.code).toBe('nan');
    expect(error.where).toBe('linear2/w');
    expect(error.message).toContain("param 'linear2/w' turned non-finite by step 8, epoch 2 (since the check after step 7, which found every param finite)");
    expect(error.found).toBe('1 NaN or infinite values');
    expect([trainer.step, trainer.epoch]).toEqual([8, 1]);
    trainer.destroy();
  });

  it('stops at the end of the epoch by default, naming the first param then non-finite', async () => {
    const trainer = await expectStopAtEpochEnd(cpuBackend(), base());
    // The loss stayed finite through steps 9 to 12 (NaN membranes never spike), else the loss check would have stopped the run first.
    expect(trainer.step).toBe(12);

    // Nor is such a run checkpointed.
    const write = await errorOf(trainer.checkpoint());
    expect(write.code).toBe('nan');
    expect(write.message).toContain('refusing to write a checkpoint');
    trainer.destroy();
  });

  it('checkFinite: false turns the checks off (the documented opt-out); labels are still checked', async () => {
    const backend = poisonedBackend(cpuBackend(), { afterStep: 2, state: 'linear2/w', index: 0 });
    const trainer = await Trainer.create({ ...base(), backend, checkFinite: false });
    const history = await trainer.runEpochs(1);
    expect(history[0]!.step).toBe(6);
    expect((await trainer.params())['linear2/w']!.data.some((v) => Number.isNaN(v))).toBe(true);
    trainer.destroy();
    const labels = await errorOf(train({ ...base(), checkFinite: false, epochs: 1, data: editedBatch(0, (batch) => void (batch.labels!.data[4] = 7)) }));
    expect(labels.where).toBe('inputs.labels');
  });
});

describe('checkpoints holding NaN', () => {
  it('refuses to resume from one, naming the tensor, and changes nothing', async () => {
    const trainer = await Trainer.create(base());
    await trainer.runEpochs(1);
    const before = await trainer.checkpoint();
    const checkpoint = decodeCheckpoint(before);
    const v = checkpoint.tensors['linear0/w/v']!;
    const data = v.data.slice();
    data[13] = Number.NaN;
    data[20] = Number.NEGATIVE_INFINITY;
    const bad = encodeCheckpoint({ ...checkpoint, tensors: { ...checkpoint.tensors, 'linear0/w/v': { type: v.type, data } } });
    const fresh = await Trainer.create(base());
    const error = await errorOf(fresh.resume(bad));
    expect(error.code).toBe('checkpoint');
    expect(error.where).toBe('tensors.linear0/w/v');
    expect(error.found).toBe('2 of 192 values NaN or infinite, the first NaN at [0, 13]'); // linear0/w is [12, 16]
    expect([fresh.step, fresh.epoch]).toEqual([0, 0]);
    await trainer.resume(before);
    expect(await trainer.checkpoint()).toEqual(before);
    for (const t of [trainer, fresh]) t.destroy();
  });
});
