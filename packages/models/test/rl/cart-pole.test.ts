import { describe, expect, it } from 'vitest';
import { CART_POLE, CartPole, cartPoleFailed, cartPoleStep, randomPolicyReturn, type CartPoleState } from '../../src/rl/index.js';

describe('cart-pole', () => {
  it('matches two steps from rest worked by hand', () => {
    // From (0, 0, 0, 0), action 1 (F = +10): sin θ = 0, cos θ = 1, so
    //   temp = F / (m_c + m_p) = 10 / 1.1 = 100/11
    //   θ̈ = (0 − 100/11) / (0.5·(4/3 − 0.1/1.1)) = −(100/11) / (41/66) = −600/41 = −14.6341463...
    //   ẍ = 100/11 − 0.05·(−600/41)/1.1 = 100/11 + 300/451 = 4400/451 = 9.7560975...
    // Euler with the old velocities: x = 0, ẋ = 0.02·4400/451 = 88/451, θ = 0, θ̇ = −0.02·600/41 = −12/41.
    const one = cartPoleStep([0, 0, 0, 0], 1);
    expect(one[0]).toBe(0);
    expect(one[1]).toBeCloseTo(88 / 451, 14);
    expect(one[2]).toBe(0);
    expect(one[3]).toBeCloseTo(-12 / 41, 14);
    // Step 2, action 1: θ is still 0 so the accelerations repeat; the positions move with step 1's velocities:
    //   x = 0.02·88/451 = 1.76/451, ẋ = 176/451, θ = 0.02·(−12/41) = −0.24/41, θ̇ = −24/41.
    const two = cartPoleStep(one, 1);
    expect(two[0]).toBeCloseTo(1.76 / 451, 14);
    expect(two[1]).toBeCloseTo(176 / 451, 14);
    expect(two[2]).toBeCloseTo(-0.24 / 41, 14);
    expect(two[3]).toBeCloseTo(-24 / 41, 14);
  });

  it('matches one step from a tilted, moving state worked by hand', () => {
    // From (x, ẋ, θ, θ̇) = (0.1, −0.2, 0.05, 0.3), action 0 (F = −10):
    //   sin 0.05 = 0.0499791692707, cos 0.05 = 0.998750260395
    //   temp = (−10 + 0.05·0.3²·0.0499791692707) / 1.1 = −9.09070463067
    //   θ̈ = (9.8·0.0499791692707 + 0.998750260395·9.09070463067) / (0.5·(4/3 − 0.1·0.998750260395²/1.1))
    //      = 9.56913947591 / 0.621325662910 = 15.4011656803
    //   ẍ = −9.09070463067 − 0.05·15.4011656803·0.998750260395/1.1 = −9.78988273220
    //   x = 0.1 + 0.02·(−0.2) = 0.096; ẋ = −0.2 + 0.02·(−9.78988273220) = −0.395797654644
    //   θ = 0.05 + 0.02·0.3 = 0.056;   θ̇ = 0.3 + 0.02·15.4011656803 = 0.608023313606
    const next = cartPoleStep([0.1, -0.2, 0.05, 0.3], 0);
    const expected = [0.096, -0.395797654644, 0.056, 0.608023313606];
    next.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 11));
  });

  it('fails beyond ±12° and ±2.4 m, rewards the failing step, and truncates at 500 steps', () => {
    const env = new CartPole();
    // θ = 0.2094 rad is just under 12° (0.20944); θ̇ = 1 carries it past in one step.
    env.resetTo([0, 0, 0.2094, 1]);
    const fell = env.step(1);
    expect(fell).toMatchObject({ reward: 1, done: true, truncated: false });
    expect(() => env.step(0)).toThrow(/reset/);
    env.resetTo([2.39, 1, 0, 0]);
    expect(env.step(1).done).toBe(true); // x = 2.39 + 0.02 > 2.4
    // A linear state-feedback controller (push toward 0.05x + 0.3ẋ + 5θ + θ̇ > 0) keeps the pole up:
    // 500 steps, then a cut-off, not a failure.
    let state = env.resetTo([0, 0, 0, 0]);
    const push = (s: readonly number[]) => (0.05 * s[0]! + 0.3 * s[1]! + 5 * s[2]! + s[3]! > 0 ? 1 : 0);
    let last = env.step(push(state));
    for (let t = 1; t < CART_POLE.maxSteps; t++) {
      expect(last.done || last.truncated).toBe(false);
      state = last.observation;
      last = env.step(push(state));
    }
    expect(last).toMatchObject({ done: false, truncated: true });
    expect(() => env.step(2)).toThrow(/action/);
  });

  it('starts uniformly in ±0.05 and replays a seed to the bit', () => {
    const run = (seed: number) => {
      const env = new CartPole();
      const observations: number[][] = [[...env.reset(seed)]];
      for (let t = 0; t < 30; t++) {
        const r = env.step(t % 3 === 0 ? 0 : 1);
        observations.push([...r.observation]);
        if (r.done) break;
      }
      return observations;
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)[0]).not.toEqual(a[0]);
    for (let seed = 0; seed < 50; seed++) for (const v of new CartPole().reset(seed)) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
  });

  it('has the spaces of CartPole-v1', () => {
    const env = new CartPole();
    expect(env.actionSpace.n).toBe(2);
    expect(env.observationSpace.high[0]).toBeCloseTo(4.8, 12);
    expect(env.observationSpace.high[2]).toBeCloseTo((24 * Math.PI) / 180, 12);
    const state: CartPoleState = [0, 0, 0, 0];
    expect(env.resetTo(state)).toEqual([0, 0, 0, 0]);
  });
});

/**
 * An independent estimate of a random policy's mean return on cart-pole: its own generator (an
 * LCG, not the library's), its own episode loop over the bare dynamics (reward 1 per step, the
 * failing one included, at most 500).
 */
function simpleRandomReturn(episodes: number): number {
  let state = 12345;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  let total = 0;
  for (let k = 0; k < episodes; k++) {
    let s: CartPoleState = [0, 0, 0, 0].map(() => -0.05 + 0.1 * uniform()) as unknown as CartPoleState;
    for (let t = 0; t < 500; t++) {
      s = cartPoleStep(s, uniform() < 0.5 ? 0 : 1);
      total++;
      if (cartPoleFailed(s)) break;
    }
  }
  return total / episodes;
}

describe("a random policy's return", () => {
  it('is one number per seed, about 22 on cart-pole, and agrees with an independent loop', () => {
    const a = randomPolicyReturn(new CartPole(), 2000, 7);
    expect(randomPolicyReturn(new CartPole(), 2000, 7)).toBe(a);
    expect(randomPolicyReturn(new CartPole(), 2000, 8)).not.toBe(a);
    expect(a).toBeGreaterThan(20);
    expect(a).toBeLessThan(23.5);
    // Two means of 2,000 episodes each (returns have a standard deviation of about 12): their
    // difference has a standard deviation near 0.4, so 1.5 is about four of them.
    expect(Math.abs(a - simpleRandomReturn(2000))).toBeLessThan(1.5);
  });

  it('refuses a continuous action space, a bad episode count and an episode that never ends', () => {
    const box = Object.assign(new CartPole(), { actionSpace: { kind: 'box', shape: [1], low: [0], high: [1] } }) as unknown as CartPole;
    expect(() => randomPolicyReturn(box, 10, 1)).toThrow(/randomPolicyReturn.env/);
    expect(() => randomPolicyReturn(new CartPole(), 0, 1)).toThrow(/randomPolicyReturn.episodes/);
    expect(() => randomPolicyReturn(new CartPole(), 5, 1, { maxSteps: 3 })).toThrow(/randomPolicyReturn.maxSteps/);
  });
});
