import { cpuBackend, evaluate, tensor, toArray, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { adam } from '../src/index.js';
import { ParamAverage, train, type Batch } from '../src/trainer/index.js';
import { spikeClassifier, spikeData } from './support/spike-task.js';

describe('ParamAverage', () => {
  it('is the element-wise mean of the snapshots, worked by hand', () => {
    const average = new ParamAverage();
    average.add({ w: tensor([2], [1, 2]), b: tensor([], 4) });
    average.add({ w: tensor([2], [3, 5]), b: tensor([], -1) });
    average.add({ w: tensor([2], [2, -1]), b: tensor([], 0) });
    expect(average.count).toBe(3);
    const mean = average.mean();
    expect(toArray(mean.w!)).toEqual([2, 2]);
    expect(toArray(mean.b!)).toEqual([1]);
    expect(mean.w!.type.shape).toEqual([2]);
  });

  it('rejects a snapshot with other params or another shape, naming the param, and keeps the mean it had', () => {
    const average = new ParamAverage();
    average.add({ w: tensor([2], [1, 2]) });
    expect(() => average.add({ v: tensor([2], [1, 2]) })).toThrow(/same params/);
    expect(average.count).toBe(1);
    expect(toArray(average.mean().w!)).toEqual([1, 2]);
    const two = new ParamAverage();
    two.add({ a: tensor([1], [1]), w: tensor([2], [1, 2]) });
    // `a` comes first and is fine; `w` has another shape: nothing of this snapshot may be summed.
    expect(() => two.add({ a: tensor([1], [5]), w: tensor([3], [1, 2, 3]) })).toThrow(/params\.w/);
    expect(two.count).toBe(1);
    expect(toArray(two.mean().a!)).toEqual([1]);
    const first = new ParamAverage();
    expect(() => first.add({ a: tensor([1], [1]), b: tensor([1], [1], 'i32') })).toThrow(/params\.b/);
    first.add({ a: tensor([1], [3]), b: tensor([1], [2]) });
    expect(toArray(first.mean().a!)).toEqual([3]);
    expect(() => new ParamAverage().mean()).toThrow(/no snapshot/);
  });
});

describe('Trainer.evaluate with given params', () => {
  it('scores the given params as an independent evaluate does, then scores the trained params again', async () => {
    const model = spikeClassifier();
    const snapshots = new ParamAverage();
    const { trainer } = await train({
      backend: cpuBackend(),
      model,
      optimizer: adam(),
      data: spikeData(),
      schedule: 0.05,
      epochs: 3,
      seed: 2,
      onMetric: async (_, t) => snapshots.add(await t.params()),
    });
    const averaged = snapshots.mean();
    const trained = await trainer.params();
    expect(toArray(averaged['linear0/w']!)).not.toEqual(toArray(trained['linear0/w']!));
    const batches = spikeData().test!() as Batch[];
    const lossWith = (params: Record<string, HostTensor>) =>
      batches.reduce((sum, batch) => sum + toArray(evaluate(model, { inputs: { x: batch.x, labels: batch.labels } as Record<string, HostTensor>, params }).outputs.loss!)[0]! / batches.length, 0);
    expect((await trainer.evaluate(batches, averaged)).loss).toBeCloseTo(lossWith(averaged), 6);
    // A partial set replaces only the params it names, even right after a call that replaced them all.
    const mixed = { ...trained, 'linear2/w': averaged['linear2/w']! };
    expect(Math.abs(lossWith(mixed) - lossWith(averaged))).toBeGreaterThan(1e-4);
    expect((await trainer.evaluate(batches, { 'linear2/w': averaged['linear2/w']! })).loss).toBeCloseTo(lossWith(mixed), 6);
    expect((await trainer.evaluate(batches)).loss).toBeCloseTo(lossWith(trained), 6);
    await expect(trainer.evaluate(batches, { 'no/such': averaged['linear2/w']! })).rejects.toThrow(/params\.no\/such/);
    trainer.destroy();
  });
});
