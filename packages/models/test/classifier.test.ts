import { evaluate, GraphBuilder, SpikeflowError, tensor, toArray, trace, type Tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { thrown } from './support/thrown.js';
import {
  addingProblem,
  applyClassifierHead,
  buildClassifier,
  buildLif,
  buildLinear,
  classifierHead,
  classifierModel,
  evidenceAccumulation,
  heldOutEpisode,
  lif,
  linear,
  SeededRng,
  sequential,
  softmaxCrossEntropy,
  taskData,
  type Batch,
  type ClassifierHead,
} from '../src/index.js';

// A time-major output [T = 3, B = 2, C = 3]: sample 0 spikes 2, 1, 0 times per class, sample 1 0, 1, 3 times.
const OUTPUT = [
  [1, 0, 0, 0, 0, 1],
  [1, 1, 0, 0, 1, 1],
  [0, 0, 0, 0, 0, 1],
].flat();
const LABELS = [0, 1];

/** The head's loss and scores on OUTPUT and LABELS (f64). */
function head(spec: ClassifierHead): { loss: number; scores: number[] } {
  const g = trace((b) => applyClassifierHead(b.input('out', [3, 2, 3]), b.input('labels', [2], 'i32'), spec));
  const { outputs } = evaluate(g, { inputs: { out: tensor([3, 2, 3], OUTPUT), labels: tensor([2], LABELS, 'i32') } }, { precision: 'f64' });
  return { loss: toArray(outputs.loss!)[0]!, scores: toArray(outputs.scores!) };
}


describe('classifier head', () => {
  it('defaults to spike counts scored by cross-entropy, as worked by hand', () => {
    expect(classifierHead()).toEqual({ readout: 'count', loss: 'crossEntropy', labelSmoothing: 0 });
    const { loss, scores } = head(classifierHead());
    expect(scores).toEqual([2, 1, 0, 0, 1, 3]);
    // loss_b = log Σ_c e^{s_bc} − s_b,label: log(e² + e + 1) − 2 = 0.407606, log(1 + e + e³) − 1 = 2.169846.
    expect(loss).toBeCloseTo((0.40760596444438013 + 2.1698460195562856) / 2, 12);
  });

  it('smooths the labels: targets (1 − ε)·onehot + ε/C', () => {
    // ε = 0.3, C = 3: targets [0.8, 0.1, 0.1] and [0.1, 0.8, 0.1]; loss_b = LSE_b − Σ_c t_bc s_bc,
    // (2.407606 − 1.7) and (3.169846 − 1.1).
    expect(head(classifierHead({ labelSmoothing: 0.3 })).loss).toBeCloseTo(1.388725992000333, 12);
  });

  it('scores rates by mean squared error against the one-hot labels', () => {
    // Rates [2/3, 1/3, 0] and [0, 1/3, 1]; errors against [1, 0, 0] and [0, 1, 0]: squares
    // 1/9, 1/9, 0, 0, 4/9, 1, mean 15/9 / 6 = 5/18.
    const { loss, scores } = head(classifierHead({ readout: 'rate', loss: 'mse' }));
    expect(scores.map((s) => s * 3)).toEqual([2, 1, 0, 0, 1, 3].map((s) => expect.closeTo(s, 12)));
    expect(loss).toBeCloseTo(5 / 18, 12);
  });

  it('reads a membrane over time: max and last', () => {
    expect(head(classifierHead({ readout: 'max' })).scores).toEqual([1, 1, 0, 0, 1, 1]);
    expect(head(classifierHead({ readout: 'last' })).scores).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('rejects a bad head naming the field', () => {
    expect(thrown(() => classifierHead({ readut: 'count' } as never)).where).toBe('classifierHead.readut');
    expect(thrown(() => classifierHead({ labelSmoothing: 1 })).where).toBe('classifierHead.labelSmoothing');
    expect(thrown(() => classifierHead({ loss: 'hinge' } as never)).where).toBe('classifierHead.loss');
  });
});

describe('buildClassifier', () => {
  it('is the sequential model traced by hand with the head on its output', () => {
    const spec = sequential([linear(4, 3), lif({ tau: 3 })]);
    const declarative = buildClassifier(spec, { input: { name: 'x', shape: [2, 5, 4] }, head: classifierHead({ labelSmoothing: 0.1 }) });
    const b = new GraphBuilder();
    let x: Tensor = b.input('x', [2, 5, 4]);
    x = b.scope('linear0', () => buildLinear(b, x, linear(4, 3)));
    x = b.scope('lif1', () => buildLif(b, x, lif({ tau: 3 })));
    const labels = b.input('labels', [5], 'i32');
    const scores = x.sum(0);
    expect(declarative).toEqual(b.finish({ loss: softmaxCrossEntropy(scores, labels, { labelSmoothing: 0.1 }), scores }));
  });

  it('takes the JSON form of the spec too', () => {
    const input = { name: 'x', shape: [2, 5, 4] };
    const json = JSON.stringify({ kind: 'sequential', layers: [{ kind: 'linear', in: 4, out: 3 }, { kind: 'lif' }] });
    expect(buildClassifier(json, { input })).toEqual(buildClassifier(sequential([linear(4, 3), lif()]), { input }));
  });

  it('rejects a last layer that does not give the classes', () => {
    const input = { name: 'x', shape: [2, 5, 4] };
    const wrong = thrown(() => buildClassifier(sequential([linear(4, 3)]), { input, classes: 2 }));
    expect(wrong.where).toBe('layers');
    expect(wrong.message).toMatch(/last layer must give \[T, B, 2\].*found \[2, 5, 3\]/);
    expect(thrown(() => buildClassifier(sequential([linear(4, 3)]), { input: { name: 'x', shape: [5, 4] } })).where).toBe('layers');
    expect(thrown(() => classifierModel(sequential([linear(1, 1)]), addingProblem().info, 4)).where).toBe('task');
  });
});

describe('taskData', () => {
  const task = evidenceAccumulation();

  it('draws train seeds from the trainer generator and holds out fixed seeds above them', () => {
    const taken: number[] = [];
    const data = taskData({ train: task }, { batch: 3, trainBatches: 2, testBatches: 2, onBatch: (k) => taken.push(k) });
    const train = [...(data.train(new SeededRng(7), 0) as Iterable<Batch>)];
    const seeds = new SeededRng(7);
    const expected = [0, 1].map(() => task.batch(3, Math.floor(seeds.next() * 2 ** 31)));
    expect(taken).toEqual([1, 2]);
    expect(train).toEqual(expected.map((b) => ({ x: b.inputs.x, labels: b.labels })));
    const test = [...(data.test!() as Iterable<Batch>)];
    expect(test).toEqual([0, 1].map((k) => task.batch(3, 2 ** 31 + k)).map((b) => ({ x: b.inputs.x, labels: b.labels })));
    expect(heldOutEpisode({ train: task })).toEqual(task.batch(1, 2 ** 31).inputs.x);
  });
});
