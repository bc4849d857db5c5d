import { describe, expect, it } from 'vitest';
import {
  activate,
  denseSpikes,
  EventDrivenDiehlCook,
  patchGrid,
  patchIndices,
  PatchRouter,
  poissonSpikeEvents,
  pooling,
  poolReshape,
  praShape,
  spikeEvents,
  spikingInception,
  SpikingInceptionModule,
  type DiehlCookOptions,
} from '../../src/stdp/index.js';

describe('receptive-field patches', () => {
  it('lays the grid as ⌊(side − kernel)/stride⌋ + 1 positions per side (the module branches on 28×28 digits)', () => {
    expect(patchGrid(28, 28, 1).across).toBe(1);
    expect(patchGrid(28, 24, 4).across).toBe(2);
    expect(patchGrid(28, 16, 6).across).toBe(3);
    expect(patchGrid(28, 9, 4).across).toBe(5); // ⌊19/4⌋ + 1: the last 3 columns are left out
    expect(() => patchGrid(5, 6, 1)).toThrow(/kernel must fit/);
  });

  it('a patch holds the hand-worked map inputs, in (dy, dx, c) order', () => {
    // 4×4 map, 2×2 kernel, stride 2: position 3 is the bottom-right quarter, corner (2, 2).
    expect(Array.from(patchIndices(patchGrid(4, 2, 2), 3))).toEqual([10, 11, 14, 15]);
    // 3×3 map of 2 channels, 2×2 kernel, stride 1: position 1 has its corner at (0, 1).
    expect(Array.from(patchIndices(patchGrid(3, 2, 1, 2), 1))).toEqual([2, 3, 4, 5, 8, 9, 10, 11]);
    expect(() => patchIndices(patchGrid(4, 2, 2), 4)).toThrow(/position out of range/);
  });

  it('routes each input spike to every patch that holds it, at its local index (hand-worked)', () => {
    // 4×4 map, 3×3 kernel, stride 1: four positions with corners (0,0), (0,1), (1,0), (1,1).
    // Step 0: inputs 5 = (1,1) and 10 = (2,2), in every patch; step 1: 0 = (0,0) only in patch 0, 15 = (3,3) only in patch 3.
    const dense = new Float32Array(2 * 16);
    for (const i of [5, 10]) dense[i] = 1;
    for (const i of [0, 15]) dense[16 + i] = 1;
    const patches = new PatchRouter(patchGrid(4, 3, 1)).split(spikeEvents(dense, 2, 16));
    const steps = (p: number) => [0, 1].map((t) => Array.from(patches[p]!.indices.subarray(patches[p]!.offsets[t]!, patches[p]!.offsets[t + 1]!)));
    expect(steps(0)).toEqual([[4, 8], [0]]);
    expect(steps(1)).toEqual([[3, 7], []]);
    expect(steps(2)).toEqual([[1, 5], []]);
    expect(steps(3)).toEqual([[0, 4], [8]]);
    expect(patches.every((p) => p.inputs === 9 && p.steps === 2)).toBe(true);
  });

  it('a routed patch train is the dense train read through patchIndices', () => {
    const grid = patchGrid(10, 4, 3, 2);
    const drawn = poissonSpikeEvents(Array.from({ length: 200 }, (_, i) => (i % 7) / 7), 30, { maxRate: 400, dt: 1, seed: 5 });
    const dense = denseSpikes(drawn.events);
    new PatchRouter(grid).split(drawn.events).forEach((patch, p) => {
      const local = patchIndices(grid, p);
      const expected = Array.from({ length: 30 * local.length }, (_, k) => dense[Math.floor(k / local.length) * 200 + local[k % local.length]!]!);
      expect(Array.from(denseSpikes(patch))).toEqual(expected);
    });
  });
});

describe('the pooling-reshape-activate layer', () => {
  // Branch 0: one position, 2 neurons, counts [3, 0]. Branch 1: 3×3 positions, 1 neuron:
  //   1 5 2
  //   0 4 7
  //   6 0 1
  // 2×2 windows every 2: {1,5,0,4} {2,7} {6,0} {1}.
  const layouts = [{ across: 1, features: 2 }, { across: 3, features: 1 }];
  const counts = [3, 0, 1, 5, 2, 0, 4, 7, 6, 0, 1];

  it('max pooling, then the square map: 6 values → side 3, zero-padded (hand-worked)', () => {
    expect(praShape(layouts, pooling({ window: 2 }))).toEqual({ side: 3, values: 6 });
    const { map, side } = poolReshape(counts, layouts, pooling({ window: 2, mode: 'max' }));
    expect(side).toBe(3);
    expect(Array.from(map)).toEqual([3, 0, 5, 7, 6, 1, 0, 0, 0]);
  });

  it('sum pooling, and window 1 (reshape only)', () => {
    expect(Array.from(poolReshape(counts, layouts, pooling({ window: 2, mode: 'sum' })).map)).toEqual([3, 0, 10, 9, 6, 1, 0, 0, 0]);
    const { map, side } = poolReshape(counts, layouts, pooling({ window: 1 }));
    expect(side).toBe(4);
    expect(Array.from(map)).toEqual([...counts, 0, 0, 0, 0, 0]);
  });

  it('features stay apart: a map of 2 features pools each on its own (y, x, f order)', () => {
    // 2×2 positions, features (a, b): a = 1, 2, 3, 4 and b = 40, 30, 20, 10 over the positions.
    const { map } = poolReshape([1, 40, 2, 30, 3, 20, 4, 10], [{ across: 2, features: 2 }], pooling({ window: 2, mode: 'max' }));
    expect(Array.from(map)).toEqual([4, 40, 0, 0]);
  });

  it('activate: intensity count / max count, as Poisson events (the same draw as poissonSpikeEvents of those intensities)', () => {
    const options = { maxRate: 200, dt: 1, seed: 9 };
    const got = activate([0, 2, 4], 50, options);
    const expected = poissonSpikeEvents([0, 0.5, 1], 50, options);
    expect(Array.from(got.events.indices)).toEqual(Array.from(expected.events.indices));
    expect(Array.from(got.events.offsets)).toEqual(Array.from(expected.events.offsets));
    expect(got.seed).toBe(expected.seed);
    expect(activate([0, 0, 0], 50, options).events.indices.length).toBe(0);
    expect(() => activate([1, Number.NaN], 50, options)).toThrow(/non-negative/);
    expect(() => poolReshape([1, 2], layouts, pooling())).toThrow(/one count per neuron/);
    expect(() => pooling({ window: 0 })).toThrow(/pooling\.window/);
  });
});

describe('the Spiking Inception module', () => {
  const options = spikingInception({
    side: 8,
    branches: [
      { kernel: 8, neurons: 3 },
      { kernel: 4, stride: 4, neurons: 2, thetaPlus: 0.3 },
    ],
    network: { steps: 40, thetaPlus: 0.1, inhibition: 30, inputGain: 3 },
  });

  it('has one group per branch position; counts branch after branch, (y, x, neuron)', () => {
    const module = new SpikingInceptionModule(options, 3);
    expect(module.neurons).toBe(3 + 4 * 2);
    expect(module.layouts()).toEqual([{ across: 1, features: 3 }, { across: 2, features: 2 }]);
    const drawn = poissonSpikeEvents(Array.from({ length: 64 }, (_, i) => (i % 3) / 2), 40, { maxRate: 300, dt: 1, seed: 1 });
    expect(module.present(drawn.events, 'train').length).toBe(11);
    expect(() => module.present(poissonSpikeEvents([1], 40, { maxRate: 300, dt: 1, seed: 1 }).events, 'train')).toThrow(/input spikes/);
    expect(() => spikingInception({ side: 8, branches: [{ kernel: 9, neurons: 2 }] })).toThrow(/branches\[0\]\.kernel/);
    expect(() => spikingInception({ side: 8, branches: [{ kernel: 4, neurons: 2, size: 3 }] } as never)).toThrow(/branches\[0\]\.size/);
  });

  it('each group is a Diehl & Cook network on its own patch: the same counts, W and θ as a lone simulator fed that patch', () => {
    const module = new SpikingInceptionModule(options, 3);
    const start = module.state();
    const groupNetwork = (branch: number): DiehlCookOptions => {
      const b = options.branches[branch]!;
      return { ...options.network, inputs: b.kernel * b.kernel, neurons: b.neurons, weightTotal: 0.1 * b.kernel * b.kernel, thetaPlus: b.thetaPlus ?? options.network.thetaPlus };
    };
    const lone = start.map((s) => new EventDrivenDiehlCook(groupNetwork(s.branch), s));
    const grids = [patchGrid(8, 8, 1), patchGrid(8, 4, 4)];
    let seed = 17;
    for (let k = 0; k < 3; k++) {
      const drawn = poissonSpikeEvents(Array.from({ length: 64 }, (_, i) => ((i + 5 * k) % 4) / 3), 40, { maxRate: 300, dt: 1, seed });
      seed = drawn.seed;
      const counts = module.present(drawn.events, 'train');
      const dense = denseSpikes(drawn.events);
      const expected = start.flatMap((s, g) => {
        const local = patchIndices(grids[s.branch]!, s.position);
        const patch = spikeEvents(Float32Array.from({ length: 40 * local.length }, (_, j) => dense[Math.floor(j / local.length) * 64 + local[j % local.length]!]!), 40, local.length);
        return Array.from(lone[g]!.present(patch, 'train').counts);
      });
      expect(Array.from(counts)).toEqual(expected);
    }
    expect(module.state().map((s) => Array.from(s.w))).toEqual(lone.map((l) => Array.from(l.w)));
    expect(module.state().map((s) => Array.from(s.theta))).toEqual(lone.map((l) => Array.from(l.theta)));
    // The branch's own θ_plus: a group of branch 1 that fired n times has θ ≈ 0.3·n.
    expect(module.state().some((s) => s.branch === 1 && s.theta.some((v) => v > 0.29))).toBe(true);
  });
});
