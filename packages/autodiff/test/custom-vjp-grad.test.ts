import { trace, type Feeds, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { grad } from '../src/index.js';
import { expectSameValues, loop, randomFeeds, run, weightedSum, type Mode } from './support/scan-cases.js';

/** customVjp: the user's backward graph replaces the derivative of the forward graph. */

function gradients(graph: Graph, wrt: readonly string[], feeds: Feeds): Record<string, number[]> {
  return run(grad(graph, { of: 'loss', wrt }), feeds);
}

/** round(x) forward, identity backward. */
function straightThroughRound(b: GraphBuilder, x: Tensor): Tensor {
  return b.customVjp([x], { forward: (_, [xi]) => ({ outputs: [xi!.round()] }), backward: (_, _residuals, [dy]) => [dy!] })[0]!;
}

describe('customVjp gradients', () => {
  it('a straight-through estimator: forward round(x), gradient 1', () => {
    const graph = trace((b) => {
      const x = b.input('x', [4]);
      const y = straightThroughRound(b, x);
      return { loss: y.sum(), y };
    });
    const out = gradients(graph, ['x'], { inputs: { x: [-1.6, -0.2, 0.4, 2.7] } });
    expect(out.y!.map((v) => v + 0)).toEqual([-2, 0, 0, 3]);
    expect(out.loss).toEqual([1]);
    expect(out['grad/x']).toEqual([1, 1, 1, 1]);
  });

  it('a straight-through estimator passes the downstream cotangent through unchanged', () => {
    const graph = trace((b) => {
      const x = b.input('x', [3]);
      return { loss: straightThroughRound(b, x.mul(2)).mul(b.constant([1, -2, 0.5], [3])).sum() };
    });
    // d/dx sum(r * ste(2x)) = 2 r.
    expect(gradients(graph, ['x'], { inputs: { x: [0.3, 0.9, -1.2] } })['grad/x']).toEqual([2, -4, 1]);
  });

  it('random feedback: forward x @ W, backward dx = dy @ B with a fixed B instead of W^T', () => {
    const graph = trace((b) => {
      const x = b.input('x', [1, 2]);
      const w = b.param('w', [2, 2], { kind: 'zeros' });
      const [y] = b.customVjp([x, w], {
        forward: (_, [xi, wi]) => ({ outputs: [xi!.matmul(wi!)], residuals: [xi!] }),
        backward: (bb, [xr], [dy]) => [dy!.matmul(bb.constant([0.5, -1, 2, 3], [2, 2])), xr!.matmul(dy!, { transposeA: true })],
      });
      return { loss: y!.mul(b.constant([1, 2], [1, 2])).sum() };
    });
    const out = gradients(graph, ['x', 'w'], { inputs: { x: [1, 2] }, params: { w: [1, 2, 3, 4] } });
    // y = [1, 2] @ [[1, 2], [3, 4]] = [7, 10]; loss = 7 + 2 * 10.
    expect(out.loss).toEqual([27]);
    // dy = [1, 2]: dx = dy @ B = [1 * 0.5 + 2 * 2, 1 * -1 + 2 * 3] (dy @ W^T would be [5, 11]).
    expect(out['grad/x']).toEqual([4.5, 5]);
    // dW = x^T dy = [[1, 2], [2, 4]].
    expect(out['grad/w']).toEqual([1, 2, 2, 4]);
  });

  describe('residuals', () => {
    // Forward: y0 = x^2, y1 = sin x, with residuals 2x and cos x; the backward sees only those.
    const build = (y1Weight: number) =>
      trace((b) => {
        const x = b.input('x', [3]);
        const [y0, y1] = b.customVjp([x], {
          forward: (_, [xi]) => ({ outputs: [xi!.mul(xi!), xi!.sin()], residuals: [xi!.mul(2), xi!.cos()] }),
          backward: (_, [twoX, cosX], [dy0, dy1]) => [dy0!.mul(twoX!).add(dy1!.mul(cosX!))],
        });
        return { loss: y1Weight === 0 ? y0!.sum() : y0!.sum().add(y1!.sum().mul(y1Weight)) };
      });
    const x = [0, 1, 2];

    it('are used by the backward graph', () => {
      const out = gradients(build(3), ['x'], { inputs: { x } })['grad/x']!;
      // dx = 2x + 3 cos x.
      [0 + 3, 2 + 3 * Math.cos(1), 4 + 3 * Math.cos(2)].forEach((g, i) => expect(out[i]).toBeCloseTo(g, 12));
    });

    it('an output nothing depends on gets a zero cotangent', () => {
      expect(gradients(build(0), ['x'], { inputs: { x } })['grad/x']).toEqual([0, 2, 4]);
    });
  });

  it('a customVjp inside a scan body (a spike with a user surrogate) matches the unrolled graph', () => {
    const T = 25;
    const build = (mode: Mode) =>
      trace((b) => {
        const x = b.input('x', [T, 2, 3]);
        const w = b.param('w', [3, 3], { kind: 'zeros' });
        const { carries, outputs } = loop(b, mode, {
          length: T,
          carries: [b.constant(0, [2, 3])],
          sequences: [x],
          consts: [w],
          body: (bb, [v], [xt], [wc]) => {
            const h = v!.add(xt!.matmul(wc!).sub(v!).div(2));
            // Heaviside forward; backward dy / (1 + u^2) from the residual u = h - 1.
            const [s] = bb.customVjp([h.sub(1)], {
              forward: (_, [u]) => ({ outputs: [u!.greaterEqual(0).cast('f32')], residuals: [u!] }),
              backward: (_, [u], [dy]) => [dy!.div(u!.mul(u!).add(1))],
            });
            return { carries: [h.mul(s!.neg().add(1))], outputs: [s!] };
          },
        });
        return { loss: weightedSum(b, [outputs[0]!, carries[0]!], 23) };
      });
    const feeds = randomFeeds(build('scan'), { x: [0, 1.5] });
    const found = gradients(build('scan'), ['w', 'x'], feeds);
    expectSameValues(found, gradients(build('unrolled'), ['w', 'x'], feeds), 1e-9);
    expect(found['grad/w']!.some((g) => Math.abs(g) > 1e-6)).toBe(true);
  });
});
