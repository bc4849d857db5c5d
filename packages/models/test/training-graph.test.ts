import { evaluate, GraphBuilder, initParams, leafName, SpikeflowError, toArray, type Graph, type HostTensor, type Initializer, nodeAs } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { adam, sgd, trainingGraph } from '../src/index.js';
import { testData } from '../../../test/support/test-data.js';

const N = 32;
const IN = 4;
const HIDDEN = 16;
const OUT = 2;

/** Fixed numbers in [-1, 1), so the data set is fixed. */
const randoms = (count: number, seed: number): number[] => testData(seed, count, -1, 1);

const uniform = (fanIn: number): Initializer => ({ kind: 'uniform', low: -1 / Math.sqrt(fanIn), high: 1 / Math.sqrt(fanIn) });

/** linear -> tanh -> linear with a mean-squared-error loss; `calls` is model state counting calls. */
function mlp(inits: { w0?: Initializer; b0?: Initializer; w1?: Initializer } = {}): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [N, IN]);
  const y = b.input('y', [N, OUT]);
  const calls = b.state('calls', []);
  b.setState(calls, calls.add(1));
  const h = b.scope('linear0', () => x.matmul(b.param('w', [IN, HIDDEN], inits.w0 ?? uniform(IN))).add(b.param('b', [HIDDEN], inits.b0 ?? uniform(IN)))).tanh();
  const pred = b.scope('linear1', () => h.matmul(b.param('w', [HIDDEN, OUT], inits.w1 ?? uniform(HIDDEN))));
  const d = pred.sub(y);
  return b.finish({ pred, loss: d.mul(d).mean() });
}

/** A fixed random linear target y = x A + c. */
function dataset(): { x: number[]; y: number[] } {
  const x = randoms(N * IN, 1);
  const a = randoms(IN * OUT, 2);
  const c = randoms(OUT, 3);
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < OUT; j++) {
      let s = c[j]!;
      for (let i = 0; i < IN; i++) s += x[n * IN + i]! * a[i * OUT + j]!;
      y.push(s);
    }
  }
  return { x, y };
}


describe('trainingGraph', () => {
  it('has the model inputs plus lr, and params, slots and the step as state', () => {
    const model = mlp();
    const train = trainingGraph(model, { loss: 'loss', optimizer: sgd({ momentum: 0.9 }) });
    expect(train.inputs.map((id) => leafName(train.nodes[id]!))).toEqual(['x', 'y', 'lr']);
    expect(train.params).toEqual([]);
    expect(train.state.map((s) => leafName(train.nodes[s.node]!))).toEqual([
      'calls',
      'linear0/w',
      'linear0/b',
      'linear1/w',
      'linear0/w/momentum',
      'linear0/b/momentum',
      'linear1/w/momentum',
      'optimizer/step',
    ]);
    expect(train.outputs.map((o) => o.name)).toEqual(['loss']);
    // Each trained param is a state of the same shape, dtype and initializer; every state is updated.
    for (const id of model.params) {
      const p = nodeAs(model, id, 'param').attrs;
      const s = train.state.find((st) => leafName(train.nodes[st.node]!) === p.name)!;
      expect(train.nodes[s.node]!.op).toBe('state');
      expect(train.nodes[s.node]!.attrs).toEqual(p);
    }
    for (const s of train.state) expect(s.update).not.toBe(s.node);
    const lr = train.nodes[train.inputs[2]!]!;
    expect(lr.type).toEqual({ shape: [], dtype: 'f32' });
  });

  it('keeps params outside wrt as params, and the model outputs on request', () => {
    const model = mlp();
    const train = trainingGraph(model, { loss: 'loss', optimizer: adam(), wrt: ['linear1/w'], keepOutputs: true });
    expect(train.params.map((id) => leafName(train.nodes[id]!))).toEqual(['linear0/w', 'linear0/b']);
    expect(train.state.map((s) => leafName(train.nodes[s.node]!))).toEqual(['calls', 'linear1/w', 'linear1/w/m', 'linear1/w/v', 'optimizer/step']);
    expect(train.outputs.map((o) => o.name)).toEqual(['pred', 'loss']);

    // The kept outputs are the model's, computed from the params before this step's update.
    const { x, y } = dataset();
    const params = initParams(model, { seed: 5 });
    const forward = evaluate(model, { inputs: { x, y }, params });
    const step = evaluate(train, {
      inputs: { x, y, lr: 0.01 },
      params: { 'linear0/w': params['linear0/w']!, 'linear0/b': params['linear0/b']! },
      state: { 'linear1/w': params['linear1/w']! },
    });
    expect(toArray(step.outputs.pred!)).toEqual(toArray(forward.outputs.pred!));
    expect(toArray(step.outputs.loss!)).toEqual(toArray(forward.outputs.loss!));
    expect(toArray(step.state.calls!)).toEqual([1]);
    expect(toArray(step.state['optimizer/step']!)).toEqual([1]);
  });

  it('starts each param from its initializer, as initParams does', () => {
    const model = mlp({
      w0: { kind: 'values', values: randoms(IN * HIDDEN, 9) },
      b0: { kind: 'fill', value: 0.25 },
      w1: { kind: 'ones' },
    });
    const train = trainingGraph(model, { loss: 'loss', optimizer: sgd() });
    const { x, y } = dataset();
    // With lr = 0 the step leaves each param at its first value.
    const first = evaluate(train, { inputs: { x, y, lr: 0 } }).state;
    const expected = initParams(model);
    for (const name of ['linear0/w', 'linear0/b', 'linear1/w']) expect(toArray(first[name]!)).toEqual(toArray(expected[name]!));
  });

  it('learns a random linear map with Adam: loss after 50 steps below 10% of the first', () => {
    const model = mlp();
    const train = trainingGraph(model, { loss: 'loss', optimizer: adam() });
    const { x, y } = dataset();
    let state: Readonly<Record<string, HostTensor>> | undefined;
    const losses: number[] = [];
    for (let k = 0; k < 50; k++) {
      const out = evaluate(train, { inputs: { x, y, lr: 0.05 }, state });
      losses.push(toArray(out.outputs.loss!)[0]!);
      state = out.state;
    }
    const final = toArray(evaluate(model, { inputs: { x, y }, params: { 'linear0/w': state!['linear0/w']!, 'linear0/b': state!['linear0/b']!, 'linear1/w': state!['linear1/w']! } }).outputs.loss!)[0]!;
    expect(final).toBeLessThan(0.1 * losses[0]!);
    expect(toArray(state!['optimizer/step']!)).toEqual([50]);
  });

  it('rejects an unknown loss or wrt name, naming it', () => {
    const model = mlp();
    const bad = (options: { loss: string; wrt?: string[] }) => () => trainingGraph(model, { ...options, optimizer: sgd() });
    expect(bad({ loss: 'nope' })).toThrow(SpikeflowError);
    expect(bad({ loss: 'nope' })).toThrow(/'loss'.*no output named 'nope'/);
    expect(bad({ loss: 'loss', wrt: ['linear0/w', 'linear9/w'] })).toThrow(SpikeflowError);
    expect(bad({ loss: 'loss', wrt: ['linear0/w', 'linear9/w'] })).toThrow(/wrt\[1\].*no param named 'linear9\/w'/);
    // Inputs are data, not trainable.
    expect(bad({ loss: 'loss', wrt: ['x'] })).toThrow(/no param named 'x'/);
  });
});

describe('trainingGraph clipGradNorm', () => {
  /** loss = 3·a + 4·b + 0·c with a, b [1] and c [2] trained: gradients 3, 4 and (0, 0), joint norm 5. */
  function linearModel(): Graph {
    const b = new GraphBuilder();
    const a = b.param('a', [1], { kind: 'fill', value: 1 });
    const bb = b.param('b', [1], { kind: 'fill', value: 2 });
    const c = b.param('c', [2], { kind: 'fill', value: -1 });
    return b.finish({ loss: a.mul(3).add(bb.mul(4)).add(c.mul(0).sum()).sum() });
  }
  const stepOnce = (clipGradNorm?: number) => evaluate(trainingGraph(linearModel(), { loss: 'loss', optimizer: sgd(), ...(clipGradNorm === undefined ? {} : { clipGradNorm }) }), { inputs: { lr: 1 } }, { precision: 'f64' }).state;

  it('scales every gradient by bound / norm when the joint norm exceeds the bound', () => {
    // Bound 1: scale 1 / (5 + 1e-6); SGD at lr 1 moves a by −3/5 and b by −4/5 (together a step of norm 1).
    const s = stepOnce(1);
    expect(toArray(s.a!)[0]).toBeCloseTo(1 - 3 / (5 + 1e-6), 12);
    expect(toArray(s.b!)[0]).toBeCloseTo(2 - 4 / (5 + 1e-6), 12);
    expect(toArray(s.c!)).toEqual([-1, -1]);
  });

  it('leaves gradients under the bound unchanged, as no clipping does', () => {
    for (const s of [stepOnce(10), stepOnce()]) {
      expect(toArray(s.a!)[0]).toBeCloseTo(1 - 3, 12);
      expect(toArray(s.b!)[0]).toBeCloseTo(2 - 4, 12);
    }
  });

  it('rejects a bound that is not a positive finite number, naming the option', () => {
    for (const bad of [0, -1, Infinity, Number.NaN]) {
      expect(() => trainingGraph(linearModel(), { loss: 'loss', optimizer: sgd(), clipGradNorm: bad })).toThrow(/clipGradNorm/);
    }
  });
});
