import { graphFromJSON, graphToJSON, trace, type Graph } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { grad, valueAndGrad } from '../src/index.js';
import { lifStep, randomFeeds, run } from './support/scan-cases.js';

/**
 * A gradient graph is an ordinary graph: it survives JSON (schema and validation included) and
 * computes the same numbers afterwards.
 */

function expectRoundTrip(gradient: Graph, forward: Graph, ranges: Readonly<Record<string, readonly [number, number]>> = {}): void {
  const text = graphToJSON(gradient);
  const loaded = graphFromJSON(text);
  expect(graphToJSON(loaded)).toBe(text);
  const feeds = randomFeeds(forward, ranges);
  const before = run(gradient, feeds);
  expect(run(loaded, feeds)).toEqual(before);
  expect(Object.keys(before).some((k) => k.startsWith('grad/'))).toBe(true);
}

/** Two LIF layers over T steps with a linear readout of the spike counts and a squared error. */
const lifNetwork = trace((b) => {
  const T = 12;
  const x = b.input('x', [T, 2, 3]);
  const target = b.input('target', [2, 2]);
  const w1 = b.param('w1', [3, 4], { kind: 'zeros' });
  const w2 = b.param('w2', [4, 2], { kind: 'zeros' });
  const { outputs } = b.scan({
    carries: [b.constant(0, [2, 4])],
    sequences: [x],
    consts: [w1],
    body: (_, [v], [xt], [w]) => {
      const step = lifStep(v!, xt!.matmul(w!), { reset: 'hard', detachReset: true });
      return { carries: [step.v], outputs: [step.s] };
    },
  });
  const err = outputs[0]!.sum(0).matmul(w2).sub(target);
  return { loss: err.mul(err).mean() };
});

describe('gradient graphs round-trip through JSON', () => {
  it('an LIF network with a scan', () => {
    expectRoundTrip(grad(lifNetwork, { of: 'loss', wrt: ['w1', 'w2', 'x'] }), lifNetwork, { x: [0, 2] });
  });

  it('an LIF network with checkpointed BPTT (nested scans in the JSON)', () => {
    expectRoundTrip(valueAndGrad(lifNetwork, { of: 'loss', wrt: ['w1', 'w2'], checkpointEvery: 5 }), lifNetwork, { x: [0, 2] });
  });

  it('a customVjp (random feedback)', () => {
    const forward = trace((b) => {
      const x = b.input('x', [2, 3]);
      const w = b.param('w', [3, 2], { kind: 'zeros' });
      const [y] = b.customVjp([x, w], {
        forward: (_, [xi, wi]) => ({ outputs: [xi!.matmul(wi!).tanh()], residuals: [xi!] }),
        backward: (bb, [xr], [dy]) => [dy!.matmul(bb.constant([1, -1, 0.5, 2, 0, -0.5], [2, 3])), xr!.matmul(dy!, { transposeA: true })],
      });
      return { loss: y!.sum() };
    });
    expectRoundTrip(grad(forward, { of: 'loss', wrt: ['x', 'w'] }), forward);
  });
});
