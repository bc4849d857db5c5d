import { describe, expect, it } from 'vitest';
import { discountedReturns, epsilonGreedy, timeMajorReturns, greedyAction, linearEpsilon, ReplayBuffer, softmaxPolicy, softmaxProbabilities } from '../../src/rl/index.js';
import { TaskRng } from '../../src/tasks/task-rng.js';

describe('replay buffer', () => {
  const transition = (k: number) => ({ state: [k, -k], action: k % 2, reward: k / 10, nextState: [k + 1, -(k + 1)], done: k === 3 });

  it('is a ring: once full, each push overwrites the oldest slot', () => {
    const buffer = new ReplayBuffer(3, 2, 1);
    for (let k = 0; k < 3; k++) buffer.push(transition(k));
    expect(buffer.size).toBe(3);
    buffer.push(transition(3)); // overwrites slot 0 (k = 0)
    buffer.push(transition(4)); // overwrites slot 1 (k = 1)
    expect(buffer.size).toBe(3);
    expect(Array.from(buffer.at(0).state)).toEqual([3, -3]);
    expect(buffer.at(0).done).toBe(true);
    expect(Array.from(buffer.at(1).nextState)).toEqual([5, -5]);
    expect(buffer.at(1).reward).toBeCloseTo(0.4, 6);
    expect(Array.from(buffer.at(2).state)).toEqual([2, -2]);
    expect(() => new ReplayBuffer(2, 2, 1).at(0)).toThrow(/slot/);
    expect(() => buffer.push({ ...transition(5), state: [1] })).toThrow(/length/);
  });

  it('samples uniformly from the filled slots, seeded, with rows that match the slots drawn', () => {
    const buffer = new ReplayBuffer(10, 2, 42);
    for (let k = 0; k < 4; k++) buffer.push(transition(k));
    const slots: number[] = [];
    const batch = buffer.sample(4000, slots);
    expect(new Set(slots)).toEqual(new Set([0, 1, 2, 3]));
    for (let i = 0; i < 50; i++) {
      const k = slots[i]!;
      expect([batch.states[2 * i], batch.states[2 * i + 1], batch.actions[i], batch.nextStates[2 * i], batch.dones[i]]).toEqual([k, -k, k % 2, k + 1, k === 3 ? 1 : 0]);
    }
    // Each slot drawn 1000 ± 4σ times (σ = sqrt(4000·¼·¾) ≈ 27).
    for (let s = 0; s < 4; s++) expect(Math.abs(slots.filter((x) => x === s).length - 1000)).toBeLessThan(110);
    const again = new ReplayBuffer(10, 2, 42);
    for (let k = 0; k < 4; k++) again.push(transition(k));
    const slotsAgain: number[] = [];
    again.sample(4000, slotsAgain);
    expect(slotsAgain).toEqual(slots);
  });
});

describe('policies', () => {
  it('ε-greedy: greedy at ε = 0 (ties to the lowest index), uniform at ε = 1', () => {
    const rng = new TaskRng(1);
    expect(greedyAction([0.5, 2, 2, -1])).toBe(1);
    for (let i = 0; i < 20; i++) expect(epsilonGreedy([0.5, 2, -1], 0, rng)).toBe(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[epsilonGreedy([0.5, 2, -1], 1, rng)]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(110); // σ ≈ 26
    // ε = 0.3 with 3 actions: the greedy one with probability 0.7 + 0.3/3 = 0.8.
    let greedy = 0;
    for (let i = 0; i < 5000; i++) if (epsilonGreedy([0.5, 2, -1], 0.3, rng) === 1) greedy++;
    expect(Math.abs(greedy / 5000 - 0.8)).toBeLessThan(0.025); // σ ≈ 0.0057
    expect(linearEpsilon(0, 1, 0.1, 100)).toBe(1);
    expect(linearEpsilon(50, 1, 0.1, 100)).toBeCloseTo(0.55, 12);
    expect(linearEpsilon(500, 1, 0.1, 100)).toBe(0.1);
    expect(() => epsilonGreedy([1], 1.5, rng)).toThrow(/epsilon/);
  });

  it('softmax: probabilities by hand, sampled at those frequencies', () => {
    // values (0, ln 2, ln 3) at temperature 1: weights 1, 2, 3 → 1/6, 2/6, 3/6.
    const p = softmaxProbabilities([0, Math.log(2), Math.log(3)]);
    [1 / 6, 2 / 6, 3 / 6].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 12));
    // Temperature 2 halves the log-weights: weights 1, √2, √3.
    const hot = softmaxProbabilities([0, Math.log(2), Math.log(3)], 2);
    const z = 1 + Math.SQRT2 + Math.sqrt(3);
    [1 / z, Math.SQRT2 / z, Math.sqrt(3) / z].forEach((v, i) => expect(hot[i]).toBeCloseTo(v, 12));
    expect(softmaxProbabilities([1000, 1000])).toEqual([0.5, 0.5]); // no overflow
    const rng = new TaskRng(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 6000; i++) counts[softmaxPolicy([0, Math.log(2), Math.log(3)], 1, rng)]!++;
    [1000, 2000, 3000].forEach((c, i) => expect(Math.abs(counts[i]! - c)).toBeLessThan(160)); // σ ≤ 39
  });
});

describe('discounted returns', () => {
  it('sums backwards, cuts at terminal steps and bootstraps the tail', () => {
    // γ = 0.5, rewards 1, 2, 3: G2 = 3, G1 = 2 + 1.5 = 3.5, G0 = 1 + 1.75 = 2.75.
    expect(Array.from(discountedReturns([1, 2, 3], 0.5))).toEqual([2.75, 3.5, 3]);
    // Terminal after step 1: G1 = 2, G0 = 1 + 0.5·2 = 2; the next episode: G2 = 3 + 0.5·G3, G3 = 4 + 0.5·10 (bootstrap) = 9, G2 = 7.5.
    expect(Array.from(discountedReturns([1, 2, 3, 4], 0.5, { dones: [0, 1, 0, 0], bootstrap: 10 }))).toEqual([2, 2, 7.5, 9]);
    // γ = 0.99 over 3 unit rewards: 1 + 0.99 + 0.9801 = 2.9701.
    expect(discountedReturns([1, 1, 1], 0.99)[0]).toBeCloseTo(2.9701, 12);
    expect(() => discountedReturns([1], 1.5)).toThrow(/gamma/);
    expect(() => discountedReturns([1, 2], 0.9, { dones: [0] })).toThrow(/dones/);
  });

  it('discounts each column of time-major rewards on its own', () => {
    // 3 steps × 2 episodes: episode 0 gets rewards 0, 1, 0 and episode 1 gets 1, 0, 1 (t-major: [r00, r01, r10, r11, r20, r21]).
    // By hand with γ = 0.5: episode 0 → 0.5, 1, 0; episode 1 → 1.25, 0.5, 1.
    expect(Array.from(timeMajorReturns([0, 1, 1, 0, 0, 1], 3, 2, 0.5))).toEqual([0.5, 1.25, 1, 0.5, 0, 1]);
    expect(() => timeMajorReturns([1, 2, 3], 2, 2, 0.5)).toThrow(/timeMajorReturns.rewards/);
  });
});
