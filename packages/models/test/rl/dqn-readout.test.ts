// DqnReadout's first update, worked by hand: from W = 0, b = 0 every Q is 0; with terminal
// transitions of reward 1 the TD target is 1, the Huber loss's gradient for each taken action's Q
// is −1/B per sample, so every gradient below is negative and Adam's first step (m̂/√v̂ = sign g)
// raises each of them by lr. A gradient of 0 (an action never taken) leaves its params at 0.
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@spikeflow/core';
import { DqnReadout } from '../../src/rl/index.js';

const batch = (actions: number[]) => ({
  size: 4,
  states: Float32Array.from([1, 2, 0.5, 1, 2, 0.5, 1, 1]),
  actions: Int32Array.from(actions),
  rewards: Float32Array.from([1, 1, 1, 1]),
  nextStates: new Float32Array(8),
  dones: Float32Array.from([1, 1, 1, 1]),
});

describe('DqnReadout', () => {
  it('takes one Adam step of lr up the TD error from zero, for the actions taken only', async () => {
    const lr = 0.01;
    const readout = await DqnReadout.create(cpuBackend(), { batch: 4, features: 2, actions: 3, gamma: 0.9, huberDelta: 1, targetUpdateSteps: 2, seed: 1 });
    const { w, b } = await readout.update(batch([0, 0, 1, 1]), lr);
    // w is [features, actions]: action 2 was never taken.
    for (const [k, v] of Array.from(w).entries()) expect(v, `w[${k}]`).toBeCloseTo(k % 3 === 2 ? 0 : lr, 6);
    expect(Array.from(b).map((v) => Number(v.toFixed(6)))).toEqual([lr, lr, 0]);
  });

  it('bootstraps from the target copy, refreshed every targetUpdateSteps updates', async () => {
    // After a first update b = lr. A second, non-terminal batch with reward 0 and next state 0 has
    // the TD target γ·max Q⁻(0) = γ·b⁻: γ·lr with the target refreshed after every update, 0 with a
    // target still at its zero start. Q(s) exceeds both, so the second gradient on b is positive,
    // and smaller with the higher target: with Adam's same first moment and second moment, b ends higher.
    const lr = 0.01;
    const run = async (targetUpdateSteps: number) => {
      const readout = await DqnReadout.create(cpuBackend(), { batch: 4, features: 2, actions: 1, gamma: 0.5, huberDelta: 1, targetUpdateSteps, seed: 1 });
      await readout.update(batch([0, 0, 0, 0]), lr);
      return (await readout.update({ ...batch([0, 0, 0, 0]), rewards: new Float32Array(4), dones: new Float32Array(4) }, lr)).b[0]!;
    };
    const [refreshed, frozen] = [await run(1), await run(1000)];
    expect(refreshed).toBeGreaterThan(frozen);
  });

  it('moves the target a fraction targetPolyak of the way to the readout after every update', async () => {
    const tau = 0.25;
    const readout = await DqnReadout.create(cpuBackend(), { batch: 4, features: 2, actions: 3, gamma: 0.9, huberDelta: 1, targetUpdateSteps: 1, targetPolyak: tau, seed: 1 });
    const first = await readout.update(batch([0, 0, 1, 1]), 0.01);
    // From a zero target: τ·W₁ (a hard copy every update would give W₁ itself); b₁ = lr for a taken action (the first test).
    const t1 = readout.targetReadout;
    for (const [k, v] of Array.from(first.w).entries()) expect(t1.w[k], `w[${k}]`).toBeCloseTo(tau * v, 7);
    expect(Array.from(t1.b).map((v) => Number(v.toFixed(7)))).toEqual([0.0025, 0.0025, 0]);
    const second = await readout.update(batch([0, 1, 1, 0]), 0.01);
    const t2 = readout.targetReadout;
    for (const [k, v] of Array.from(second.b).entries()) expect(t2.b[k], `b[${k}]`).toBeCloseTo((1 - tau) * t1.b[k]! + tau * v, 7);
    expect(t2.b[2]).toBe(0); // action 2 never taken: its readout and target stay 0
  });

  it('bootstraps from the averaged target: between a frozen zero target and a copy refreshed every update', async () => {
    // As in the bootstraps test: after a first update b = lr; the second, non-terminal batch (reward
    // 0, next state 0) has the TD target γ·b⁻, with b⁻ = 0 frozen, τ·lr averaged, lr copied. A higher
    // target leaves b higher after the second step, so the averaged run must land strictly between.
    const lr = 0.01;
    const run = async (target: { targetUpdateSteps: number; targetPolyak?: number }) => {
      const readout = await DqnReadout.create(cpuBackend(), { batch: 4, features: 2, actions: 1, gamma: 0.5, huberDelta: 1, ...target, seed: 1 });
      await readout.update(batch([0, 0, 0, 0]), lr);
      expect(readout.targetReadout.b[0]).toBeCloseTo(target.targetPolyak === undefined ? (target.targetUpdateSteps === 1 ? lr : 0) : target.targetPolyak * lr, 7);
      return (await readout.update({ ...batch([0, 0, 0, 0]), rewards: new Float32Array(4), dones: new Float32Array(4) }, lr)).b[0]!;
    };
    const [frozen, averaged, copied] = [await run({ targetUpdateSteps: 1000 }), await run({ targetUpdateSteps: 1000, targetPolyak: 0.5 }), await run({ targetUpdateSteps: 1 })];
    expect(averaged).toBeGreaterThan(frozen);
    expect(copied).toBeGreaterThan(averaged);
  });

  it('refuses a Polyak fraction outside (0, 1] naming the option', async () => {
    for (const targetPolyak of [0, -0.1, 1.5, Number.NaN]) {
      await expect(DqnReadout.create(cpuBackend(), { batch: 4, features: 2, actions: 3, gamma: 0.9, huberDelta: 1, targetUpdateSteps: 1, targetPolyak, seed: 1 })).rejects.toThrow(/^\[attr\] at 'DqnReadout targetPolyak'/);
    }
  });

  it('refuses a diverging step with one error naming the parameter, and keeps the last finite readout', async () => {
    const readout = await DqnReadout.create(cpuBackend(), { batch: 4, features: 2, actions: 3, gamma: 0.9, huberDelta: 1, targetUpdateSteps: 1, seed: 1 });
    const good = await readout.update(batch([0, 0, 1, 1]), 0.01);
    // lr = 1e39 is +Infinity in float32: the taken actions' params become ±Infinity, the others 0·∞ = NaN.
    await expect(readout.update(batch([0, 0, 1, 1]), 1e39)).rejects.toThrow(/^\[nan\] at 'DqnReadout\.update \(update 2, lr 1e\+39\)': parameter readout\/w\[0\] is not finite after the step: the readout diverged/);
    expect(readout.readout).toBe(good);
    expect([...readout.readout.w, ...readout.readout.b].every(Number.isFinite)).toBe(true);
  });
});

