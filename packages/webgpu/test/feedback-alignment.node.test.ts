// Feedback alignment (faLinear, a random B drawn by the Philox `uniform` op) and direct feedback
// alignment (taps with random B_l) in spiking networks on WebGPU (dawn.node): forward values and
// gradients against the CPU reference.
import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, leafName, tensor, toArray, trace, type Graph } from '@spikeflow/core';
import { buildFaLinear, buildLif, buildLinear, DirectFeedback, faLinear, lif, linear } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU feedback alignment tests');

const [T, B, I, H, O] = [12, 4, 10, 24, 5];
const paramNames = (g: Graph) => g.params.map((id) => leafName(g.nodes[id]!));

/** x -> (fa)linear -> LIF -> (fa)linear -> LIF -> linear, the output weighted by a fed g. */
function faNetwork(): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const d1 = b.scope('fa1', () => buildFaLinear(b, x, faLinear(I, H, { initScale: 4, bias: true })));
    const s1 = b.scope('lif1', () => buildLif(b, d1, lif()));
    const d2 = b.scope('fa2', () => buildFaLinear(b, s1, faLinear(H, H, { initScale: 4 })));
    const s2 = b.scope('lif2', () => buildLif(b, d2, lif()));
    const y = b.scope('out', () => buildLinear(b, s2, linear(H, O)));
    return { loss: y.mul(b.input('g', [T, B, O])).sum(), out: y };
  });
}

/** The same shape of network with DFA taps on both hidden layers (default random B_l). */
function dfaNetwork(): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const dfa = new DirectFeedback(b, [T, B, O]);
    const d1 = b.scope('l1', () => buildLinear(b, x, linear(I, H, { initScale: 4, bias: true })));
    const s1 = b.scope('tap1', () => dfa.tap(b.scope('lif1', () => buildLif(b, d1, lif()))));
    const d2 = b.scope('l2', () => buildLinear(b, s1, linear(H, H, { initScale: 4 })));
    const s2 = b.scope('tap2', () => dfa.tap(b.scope('lif2', () => buildLif(b, d2, lif()))));
    const y = dfa.output(b.scope('out', () => buildLinear(b, s2, linear(H, O))));
    return { loss: y.mul(b.input('g', [T, B, O])).sum(), out: y };
  });
}

describe.skipIf(skip)('feedback alignment on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  for (const [label, build] of [
    ['feedback alignment (faLinear)', faNetwork],
    ['direct feedback alignment (taps)', dfaNetwork],
  ] as const) {
    it(`${label}: the CPU's outputs and gradients within 1e-4`, async () => {
      const { device } = deviceOf(acquired);
      const model = build();
      const wrt = ['x', ...paramNames(model)];
      const g = grad(model, { of: 'loss', wrt });
      const exe = await compile(g, device);
      const feeds = { x: tensor([T, B, I], testData(1, T * B * I).map((u) => Number(u < 0.6))), g: tensor([T, B, O], testData(2, T * B * O, -1, 1)) };
      const params = initParams(g, { seed: 3 });
      const cpu = evaluate(g, { inputs: feeds, params }).outputs;
      exe.setParams(params);
      const gpu = await exe.run(feeds);
      for (const name of ['out', 'loss', ...wrt.map((w) => `grad/${w}`)]) {
        expect(toArray(cpu[name]!).some((v) => v !== 0), `${name} is not all zero`).toBe(true);
        expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
      }
      exe.destroy();
    });
  }
});
