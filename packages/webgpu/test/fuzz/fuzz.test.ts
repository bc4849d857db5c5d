// CPU-only checks of the fuzzer itself: packing and replay give the same graphs, and the
// comparison catches a wrong result.
import { evaluate, graphToJSON, tensor, toArray } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { compareOutput, emptyStats, FUZZ_TOLERANCE } from '../../../../test/support/fuzz/compare.js';
import { buildPack, PACK_LOSS } from '../../../../test/support/fuzz/pack.js';

describe('fuzz generator', () => {
  it('is seed-stable: the same seed gives the same graph and inputs', () => {
    for (const seed of [3, 17, 42]) {
      const a = buildPack([seed]);
      const b = buildPack([seed]);
      expect(graphToJSON(a.graph)).toBe(graphToJSON(b.graph));
      expect(Object.keys(a.feeds)).toEqual(Object.keys(b.feeds));
      for (const name of Object.keys(a.feeds)) expect(toArray(a.feeds[name]!)).toEqual(toArray(b.feeds[name]!));
    }
  });

  it('computes in a pack exactly what each graph computes alone (so one seed replays a pack failure)', () => {
    const seeds = Array.from({ length: 20 }, (_, i) => 200 + i);
    const pack = buildPack(seeds);
    const packed = evaluate(pack.graph, { inputs: pack.feeds }).outputs;
    let compared = 0;
    for (const seed of seeds) {
      const alone = buildPack([seed]);
      const outputs = evaluate(alone.graph, { inputs: alone.feeds }).outputs;
      for (const [name, t] of Object.entries(outputs)) {
        if (name === PACK_LOSS) continue;
        expect(toArray(packed[name]!), `${name}`).toEqual(toArray(t));
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(seeds.length);
  });

  it('makes finite reference values (every graph is well defined by construction)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { graph, feeds } = buildPack([seed]);
      for (const [name, t] of Object.entries(evaluate(graph, { inputs: feeds }).outputs)) {
        expect(toArray(t).every(Number.isFinite), `seed ${seed} output ${name}`).toBe(true);
      }
    }
  });
});

describe('fuzz comparison', () => {
  it('accepts rounding-level differences and reports a wrong element with its index', () => {
    const expected = tensor([4], [1, -2, 300, 0]);
    const stats = emptyStats();
    // 300 + 2^-10 is exact in f32: within 1e-4 + 1e-4 * 300.
    expect(compareOutput(tensor([4], [1, -2, 300 + 2 ** -10, 2 ** -14]), expected, FUZZ_TOLERANCE, stats)).toBeUndefined();
    expect(stats.maxAbs).toBe(2 ** -10);
    const problem = compareOutput(tensor([4], [1, -2, 300, 0.01]), expected, FUZZ_TOLERANCE, emptyStats());
    expect(problem).toContain('[3] 0.009999');
  });
});
