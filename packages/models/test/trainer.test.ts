import { cpuBackend, evaluate, initParams, SpikeflowError, tensor, toArray, trace, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { adam, sgd } from '../src/index.js';
import { decodeCheckpoint } from '../src/checkpoint/index.js';
import { mse } from '../src/losses/index.js';
import { cosineAnnealing, exponentialDecay, stepDecay } from '../src/schedules/index.js';
import { minibatches, SeededRng, train, Trainer, type Batch, type EpochMetrics, type TrainerOptions } from '../src/trainer/index.js';
import { expectResumeIdentity } from './support/resume-identity.js';
import { spikeClassifier, spikeData, uniforms } from './support/spike-task.js';

const values = (t: HostTensor) => Array.from(t.data);

describe('trainer on the CPU backend', () => {
  it('learns the spike task: loss falls, held-out accuracy well above chance', async () => {
    const history: EpochMetrics[] = [];
    const started = performance.now();
    const { trainer } = await train({
      backend: cpuBackend(),
      model: spikeClassifier(),
      optimizer: adam(),
      data: spikeData(),
      schedule: 0.05,
      epochs: 8,
      seed: 3,
      accuracy: { scores: 'scores', labels: 'labels' },
      onMetric: (m) => void history.push(m),
    });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(history.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(history.map((m) => m.step)).toEqual([6, 12, 18, 24, 30, 36, 42, 48]);
    expect(history.every((m) => m.lr === 0.05 && m.ms >= 0 && Number.isFinite(m.loss))).toBe(true);
    expect(history[7]!.loss).toBeLessThan(history[0]!.loss / 4);
    expect(history[7]!.testLoss!).toBeLessThan(history[0]!.testLoss!);
    expect(history[7]!.testAccuracy!).toBeGreaterThanOrEqual(0.9); // chance is 1/3
    trainer.destroy();
  });

  it('matches a plain-JS SGD on linear regression, with a per-step schedule and shuffled batches', async () => {
    const [N, B, I, O] = [12, 4, 3, 2];
    const model = trace((b) => {
      const x = b.input('x', [B, I]);
      const pred = x.matmul(b.param('w', [I, O], { kind: 'uniform', low: -0.5, high: 0.5 })).add(b.param('b', [O], { kind: 'zeros' }));
      return { loss: mse(pred, b.input('y', [B, O])), pred };
    });
    const xs = uniforms(1, N * I).map((u) => 2 * u - 1);
    const ys = uniforms(2, N * O).map((u) => 2 * u - 1);
    const order: number[][] = [];
    const batchOf = (idx: readonly number[]): Batch => ({
      x: tensor([B, I], idx.flatMap((n) => xs.slice(n * I, n * I + I))),
      y: tensor([B, O], idx.flatMap((n) => ys.slice(n * O, n * O + O))),
    });
    const data = {
      train: (rng: { permutation(n: number): number[] }) => {
        const p = rng.permutation(N);
        return [0, 1, 2].map((k) => {
          order.push(p.slice(k * B, k * B + B));
          return batchOf(order[order.length - 1]!);
        });
      },
    };
    const schedule = exponentialDecay(0.2, 0.9);
    const seed = 4;
    const { trainer, history } = await train({ backend: cpuBackend(), model, optimizer: sgd(), data, schedule, schedulePer: 'step', epochs: 2, seed });

    // The truth: the same initial values (the graph's initializers with the seed), then SGD in float64.
    const init = initParams(model, { seed });
    const w = values(init.w!);
    const bias = values(init.b!);
    const losses: number[] = [];
    const lossAndGrad = (idx: readonly number[]) => {
      let loss = 0;
      const gw = new Array<number>(I * O).fill(0);
      const gb = new Array<number>(O).fill(0);
      for (const n of idx) {
        for (let o = 0; o < O; o++) {
          let pred = bias[o]!;
          for (let i = 0; i < I; i++) pred += xs[n * I + i]! * w[i * O + o]!;
          const d = pred - ys[n * O + o]!;
          loss += (d * d) / (B * O);
          gb[o]! += (2 * d) / (B * O);
          for (let i = 0; i < I; i++) gw[i * O + o]! += (2 * d * xs[n * I + i]!) / (B * O);
        }
      }
      return { loss, gw, gb };
    };
    order.forEach((idx, t) => {
      const { loss, gw, gb } = lossAndGrad(idx);
      losses.push(loss);
      const lr = 0.2 * 0.9 ** t;
      gw.forEach((g, k) => (w[k]! -= lr * g));
      gb.forEach((g, k) => (bias[k]! -= lr * g));
    });

    expect(order.length).toBe(6);
    expect(order[0]).not.toEqual(order[3]); // each epoch reshuffles
    const trained = await trainer.params();
    values(trained.w!).forEach((v, k) => expect(v).toBeCloseTo(w[k]!, 5));
    values(trained.b!).forEach((v, k) => expect(v).toBeCloseTo(bias[k]!, 5));
    expect(history[0]!.loss).toBeCloseTo((losses[0]! + losses[1]! + losses[2]!) / 3, 5);
    expect(history[1]!.loss).toBeCloseTo((losses[3]! + losses[4]! + losses[5]!) / 3, 5);
    expect(history[1]!.lr).toBeCloseTo(0.2 * 0.9 ** 5, 12);

    // Held-out evaluation runs the forward graph with the current trained params.
    const held = [[0, 1, 2, 3]];
    const evaluated = await trainer.evaluate(held.map(batchOf));
    expect(evaluated.loss).toBeCloseTo(lossAndGrad(held[0]!).loss, 5);
    trainer.destroy();
  });

  it('feeds the per-epoch schedule, and reports held-out loss equal to an independent evaluate of the trained params', async () => {
    const model = spikeClassifier();
    const lrs: number[] = [];
    const { trainer, history } = await train({
      backend: cpuBackend(),
      model,
      optimizer: sgd({ momentum: 0.9 }),
      data: spikeData(),
      schedule: stepDecay(0.1, { stepSize: 2, gamma: 0.5 }),
      epochs: 5,
      seed: 1,
      accuracy: { scores: 'scores', labels: 'labels' },
      onMetric: (m) => void lrs.push(m.lr),
    });
    expect(lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    const params = await trainer.params();
    expect(Object.keys(params).sort()).toEqual(['linear0/w', 'linear2/w']);
    let loss = 0;
    let correct = 0;
    const batches = spikeData().test!() as Batch[];
    for (const batch of batches) {
      const out = evaluate(model, { inputs: { x: batch.x!, labels: batch.labels! } as Record<string, HostTensor>, params }).outputs;
      loss += toArray(out.loss!)[0]! / batches.length;
      const scores = toArray(out.scores!);
      const labels = Array.from((batch.labels as HostTensor).data);
      labels.forEach((l, r) => (correct += Number(scores.slice(3 * r, 3 * r + 3).indexOf(Math.max(...scores.slice(3 * r, 3 * r + 3))) === l)));
    }
    expect(history[4]!.testLoss!).toBeCloseTo(loss, 6);
    expect(history[4]!.testAccuracy!).toBeCloseTo(correct / (batches.length * 8), 12);
    trainer.destroy();
  });

  it('is deterministic: the same seed gives the same run, another seed another', async () => {
    const run = async (seed: number) => {
      const { trainer, history } = await train({ backend: cpuBackend(), model: spikeClassifier(), optimizer: adam(), data: spikeData(), schedule: 0.02, epochs: 2, seed });
      const params = await trainer.params();
      trainer.destroy();
      return { losses: history.map((m) => m.loss), w: values(params['linear0/w']!) };
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(b).toEqual(a);
    expect(c.w).not.toEqual(a.w);
  });

  it('resumes a checkpoint as the same run: 1 + 1 epochs give exactly the params and state of 2', async () => {
    const options: TrainerOptions = {
      backend: cpuBackend(),
      model: spikeClassifier(),
      optimizer: adam(),
      data: spikeData(),
      schedule: cosineAnnealing(0.05, { tMax: 12, etaMin: 0.001 }),
      schedulePer: 'step',
      seed: 5,
    };
    const { saved, expected, resumed } = await expectResumeIdentity(options, (r) => expect([r.epoch, r.step]).toEqual([1, 6]));
    expect(decodeCheckpoint(saved).progress).toMatchObject({ epoch: 1, step: 6, seed: 5 });
    expect(decodeCheckpoint(saved).progress.rng).not.toBe(new SeededRng(5).state); // the shuffle moved the generator
    expect(Object.keys(expected.tensors)).toEqual(expect.arrayContaining(['linear0/w', 'linear0/w/m', 'linear0/w/v', 'optimizer/step']));

    // train() resumes the same way and runs only the epochs left.
    const viaTrain = await train({ ...options, epochs: 2, resume: saved });
    expect(viaTrain.history.map((m) => m.epoch)).toEqual([2]);
    expect(values((await viaTrain.trainer.params())['linear2/w']!)).toEqual(values(expected.tensors['linear2/w']!));
    for (const t of [resumed, viaTrain.trainer]) t.destroy();
  });

  it('refuses to checkpoint or resume while epochs run', async () => {
    const trainer = await Trainer.create({ backend: cpuBackend(), model: spikeClassifier(), optimizer: sgd(), data: spikeData(), schedule: 0.1 });
    const running = trainer.runEpochs(1);
    await expect(trainer.checkpoint()).rejects.toThrow(/busy/);
    await running;
    await expect(trainer.checkpoint()).resolves.toBeInstanceOf(Uint8Array);
    trainer.destroy();
  });

  it('rejects bad options and data, naming them', async () => {
    const base = { backend: cpuBackend(), model: spikeClassifier(), optimizer: sgd(), data: spikeData(), schedule: 0.1 };
    const where = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SpikeflowError);
      return (error as SpikeflowError).where;
    };
    expect(await where(Trainer.create({ ...base, lossEvery: 0 }))).toBe('lossEvery');
    expect(await where(Trainer.create({ ...base, schedule: -1 }))).toBe('constantSchedule.lr');
    expect(await where(Trainer.create({ ...base, loss: 'nope' }))).toBe('loss');
    expect(await where(Trainer.create({ ...base, accuracy: { scores: 'logits', labels: 'labels' } }))).toBe('accuracy.scores');
    expect(await where(train({ ...base, epochs: 1, data: { train: () => [] } }))).toBe('data.train');
    expect(await where(train({ ...base, epochs: 1, schedule: () => Number.NaN }))).toBe('schedule');
    expect(await where(train({ ...base, epochs: 1, data: { train: () => [{ labels: [0, 1, 2, 0, 1, 2, 0, 1] }] } }))).toBe('inputs.x');
    expect(await where(train({ ...base, epochs: 1, seed: -1 }))).toBe('seed');
  });
});

describe('minibatches', () => {
  it('slices every field along its sample axis by one permutation', () => {
    // x [T = 2, N = 5, 1] holds 10 * t + n; y [N] holds n.
    const x = tensor([2, 5, 1], [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
    const y = tensor([5], [0, 1, 2, 3, 4], 'i32');
    const rng = new SeededRng(9);
    const perm = new SeededRng(9).permutation(5);
    const batches = minibatches({ x: { tensor: x, axis: 1 }, y }, { batchSize: 2, rng });
    expect(batches.length).toBe(2); // the partial last batch is dropped
    batches.forEach((batch, k) => {
      const idx = perm.slice(2 * k, 2 * k + 2);
      expect(batch.x!.type.shape).toEqual([2, 2, 1]);
      expect(values(batch.x!)).toEqual([...idx, ...idx.map((n) => 10 + n)]);
      expect(values(batch.y!)).toEqual(idx);
      expect(batch.y!.type.dtype).toBe('i32');
    });
    expect(minibatches({ y }, { batchSize: 2, keepLast: true }).map((b) => values(b.y!))).toEqual([[0, 1], [2, 3], [4]]);
    expect(() => minibatches({ x: { tensor: x, axis: 1 }, y: tensor([4], [0, 1, 2, 3]) }, { batchSize: 2 })).toThrow(/data\.y/);
  });

  it('permutations are uniform-looking and reproducible from the stored position', () => {
    const rng = new SeededRng(1);
    rng.permutation(10);
    const position = rng.state;
    const next = rng.permutation(10);
    const again = new SeededRng(123);
    again.restore(position);
    expect(again.permutation(10)).toEqual(next);
    expect([...next].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Each of 4 items lands first about a quarter of the time.
    const first = [0, 0, 0, 0];
    for (let k = 0; k < 4000; k++) first[rng.permutation(4)[0]!]!++;
    first.forEach((n) => expect(Math.abs(n - 1000)).toBeLessThan(120));
  });
});

