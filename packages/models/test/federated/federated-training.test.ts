import { cpuBackend, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { adam, FederatedTraining, minibatches, quantiseCodec, topKCodec, train, type FederatedClient, type UpdateCodec } from '../../src/index.js';
import { spikeClassifier, spikeData, spikeDataset, TASK } from '../support/spike-task.js';

const backend = cpuBackend();
const LR = 0.05;

/** spikeData's training samples (48, 6 batches a pass), reshuffled with the client's generator as the Trainer reshuffles them. */
const trainSet = spikeDataset(48, 11);
const wholeSet: FederatedClient = { samples: 48, train: (rng) => minibatches({ x: { tensor: trainSet.x, axis: 1 }, labels: trainSet.labels }, { batchSize: TASK.B, rng }) };

/** Client k: 16 samples of its own, two batches a pass, reshuffled with its generator (or, `shuffled` false, in a fixed order). */
function client(k: number, shuffled = true): FederatedClient {
  const set = spikeDataset(16, 200 + k);
  return { samples: 16, train: (rng) => minibatches({ x: { tensor: set.x, axis: 1 }, labels: set.labels }, { batchSize: TASK.B, ...(shuffled ? { rng } : {}) }) };
}

async function federation(clients: readonly FederatedClient[], localSteps: number, seed: number, codec?: UpdateCodec): Promise<FederatedTraining> {
  return FederatedTraining.create({ backend, model: spikeClassifier(), optimizer: adam(), lr: LR, clients, localSteps, seed, ...(codec ? { codec } : {}) });
}

const data = (params: Record<string, HostTensor>) => Object.fromEntries(Object.entries(params).map(([name, t]) => [name, Array.from(t.data)]));

describe('FederatedTraining', () => {
  it('with one client equals plain training bit for bit, for τ = 1, 4 and 12 (rounds across pass boundaries, Adam state kept)', async () => {
    const plain = await train({ backend, model: spikeClassifier(), optimizer: adam(), schedule: LR, data: spikeData(), seed: 3, epochs: 2 });
    const expected = data(await plain.trainer.params());
    plain.trainer.destroy();
    for (const tau of [1, 4, 12]) {
      const fed = await federation([wholeSet], tau, 3);
      expect(data(fed.params())).not.toEqual(expected); // training moved the params
      for (let r = 0; r < 12 / tau; r++) await fed.runRound();
      expect(data(fed.params())).toEqual(expected);
      fed.destroy();
    }
  });

  it('charges each round the bytes its encoding takes, worked by hand', async () => {
    // Params: linear0/w [12, 16] and linear2/w [16, 3], no biases: P = 192 + 48 = 240 values.
    const dense = await federation([client(0), client(1), client(2)], 2, 1);
    expect(dense.paramNames.map((n) => dense.params()[n]!.data.length)).toEqual([192, 48]);
    // Up: 3 clients · 240 float32 · 4 bytes = 2880; down: the same broadcast to each client.
    expect(await dense.runRound()).toMatchObject({ round: 1, upBytes: 2880, downBytes: 2880 });
    await dense.runRound();
    expect(dense.bytes).toEqual({ up: 5760, down: 5760 });
    dense.destroy();
    // Top-10%: ⌈19.2⌉ = 20 and ⌈4.8⌉ = 5 entries of 8 bytes per client: 3 · 25 · 8 = 600 up.
    const sparse = await federation([client(0), client(1), client(2)], 2, 1, topKCodec(0.1));
    expect(await sparse.runRound()).toMatchObject({ upBytes: 600, downBytes: 2880 });
    sparse.destroy();
    // 8 bits: per tensor 16 header bytes + one byte a value: 3 · (16 + 192 + 16 + 48) = 816 up.
    const quantised = await federation([client(0), client(1), client(2)], 2, 1, quantiseCodec({ bits: 8 }));
    expect(await quantised.runRound()).toMatchObject({ upBytes: 816, downBytes: 2880 });
    quantised.destroy();
  });

  it('averages what the clients sent: one round of two clients is the weighted mean of their local params', async () => {
    // Each client alone, from the same initial params, for τ = 3 steps; unshuffled, so its batches do not depend on its generator.
    const clients = [client(0, false), { ...client(1, false), samples: 48 }];
    const alone = await Promise.all(clients.map(async (c) => {
      const fed = await federation([c], 3, 7);
      await fed.runRound();
      const params = fed.params();
      fed.destroy();
      return params;
    }));
    const together = await federation(clients, 3, 7);
    await together.runRound();
    const got = together.params();
    for (const name of together.paramNames) {
      const want = Float32Array.from(alone[0]![name]!.data, (a, i) => (16 * a + 48 * alone[1]![name]!.data[i]!) / 64);
      expect(Array.from(got[name]!.data)).toEqual(Array.from(want));
    }
    together.destroy();
  });

  it('is reproducible from its seed, stochastic rounding included, and the seed matters', async () => {
    const run = async (seed: number) => {
      const fed = await federation([client(0), client(1), client(2)], 2, seed, quantiseCodec({ bits: 2 }));
      const losses = [];
      for (let r = 0; r < 3; r++) losses.push((await fed.runRound()).loss);
      const out = { losses, params: data(fed.params()) };
      fed.destroy();
      return out;
    };
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect((await run(12)).params).not.toEqual(a.params);
  });

  it('learns: FedAvg of three clients beats chance on held-out samples', async () => {
    const fed = await FederatedTraining.create({
      backend, model: spikeClassifier(), optimizer: adam(), lr: LR, clients: [client(0), client(1), client(2)], localSteps: 2, seed: 2, accuracy: { scores: 'scores', labels: 'labels' },
    });
    const heldOut = spikeData().test!();
    const before = await fed.evaluate(heldOut as Iterable<Record<string, HostTensor>>);
    for (let r = 0; r < 8; r++) await fed.runRound();
    const after = await fed.evaluate(heldOut as Iterable<Record<string, HostTensor>>);
    expect(after.loss).toBeLessThan(before.loss);
    expect(after.accuracy!).toBeGreaterThan(1 / 3 + 0.3); // 3 classes: chance is 1/3
    fed.destroy();
  });

  it('rejects a bad τ, no clients or a bad sample count, naming the option', async () => {
    await expect(federation([client(0)], 0, 1)).rejects.toThrow(/localSteps/);
    await expect(federation([], 1, 1)).rejects.toThrow(/'clients'/);
    await expect(federation([{ ...client(0), samples: 0 }], 1, 1)).rejects.toThrow(/clients\[0\]\.samples/);
    const empty = await federation([{ samples: 1, train: () => [] }], 1, 1);
    await expect(empty.runRound()).rejects.toThrow(/clients\[0\]\.train/);
    empty.destroy();
  });
});
