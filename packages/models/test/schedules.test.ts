import { SpikeflowError } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { constantSchedule, cosineAnnealing, exponentialDecay, stepDecay, warmupCosine, type Schedule } from '../src/schedules/index.js';

const at = (s: Schedule, ts: readonly number[]) => ts.map((t) => s(t));

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR.get_lr as PyTorch runs it: recursively, one
 * scheduler.step() per t, with Python's modulo. An independent truth for the closed form.
 */
function torchCosineRecursive(baseLr: number, tMax: number, etaMin: number, steps: number): number[] {
  const pyMod = (a: number, m: number) => ((a % m) + m) % m;
  const lrs = [baseLr];
  for (let t = 1; t <= steps; t++) {
    const prev = lrs[t - 1]!;
    if (pyMod(t - 1 - tMax, 2 * tMax) === 0) lrs.push(prev + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    else lrs.push(((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (prev - etaMin) + etaMin);
  }
  return lrs;
}

describe('learning-rate schedules', () => {
  it('constantSchedule', () => {
    expect(at(constantSchedule(0.01), [0, 1, 100])).toEqual([0.01, 0.01, 0.01]);
  });

  it('step decay (StepLR): lr * gamma^floor(t / stepSize)', () => {
    const s = stepDecay(0.1, { stepSize: 3, gamma: 0.5 });
    expect(at(s, [0, 1, 2, 3, 5, 6, 9])).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
    expect(stepDecay(1, { stepSize: 2 })(2)).toBeCloseTo(0.1, 15); // PyTorch's default gamma
  });

  it('exponential decay (ExponentialLR): lr * gamma^t', () => {
    const s = exponentialDecay(0.1, 0.9);
    expect(s(0)).toBe(0.1);
    expect(s(2)).toBeCloseTo(0.081, 15);
    expect(s(3)).toBeCloseTo(0.0729, 15);
  });

  it('cosine annealing: hand values', () => {
    const s = cosineAnnealing(0.1, { tMax: 10 });
    expect(s(0)).toBe(0.1);
    expect(s(2)).toBeCloseTo(0.09045084971874738, 15); // 0.05 (1 + cos(0.2 pi))
    expect(s(5)).toBeCloseTo(0.05, 15);
    expect(s(10)).toBeCloseTo(0, 15);
    expect(s(15)).toBeCloseTo(0.05, 15); // past tMax the cosine rises again
    expect(s(20)).toBeCloseTo(0.1, 15);
    expect(cosineAnnealing(0.1, { tMax: 10, etaMin: 0.01 })(5)).toBeCloseTo(0.055, 15);
  });

  it("cosine annealing agrees with PyTorch's recursive CosineAnnealingLR over three periods", () => {
    for (const [lr, tMax, etaMin] of [
      [0.1, 10, 0],
      [0.05, 7, 0.001],
      [1, 3, 0.2],
    ] as const) {
      const truth = torchCosineRecursive(lr, tMax, etaMin, 6 * tMax);
      const s = cosineAnnealing(lr, { tMax, etaMin });
      truth.forEach((v, t) => expect(s(t), `lr ${lr}, tMax ${tMax}, t ${t}`).toBeCloseTo(v, 12));
    }
  });

  it('linear warmup then cosine: hand values', () => {
    const s = warmupCosine(0.1, { warmup: 4, total: 14 });
    [0, 0.025, 0.075].forEach((v, i) => expect(s([0, 1, 3][i]!)).toBeCloseTo(v, 15));
    expect(s(4)).toBe(0.1);
    expect(s(9)).toBeCloseTo(0.05, 15); // halfway through the cosine
    expect(s(14)).toBeCloseTo(0, 15);
    expect(s(20)).toBeCloseTo(0, 15); // stays at the floor
    const floored = warmupCosine(0.1, { warmup: 2, total: 6, etaMin: 0.02 });
    expect(floored(1)).toBeCloseTo(0.05, 15);
    expect(floored(4)).toBeCloseTo(0.06, 15); // 0.02 + 0.08 * (1 + cos(pi/2)) / 2
    expect(floored(100)).toBeCloseTo(0.02, 15);
  });

  it('rejects bad parameters and counts, naming them', () => {
    const cases: [() => unknown, string][] = [
      [() => constantSchedule(-1), 'constantSchedule.lr'],
      [() => stepDecay(0.1, { stepSize: 0 }), 'stepDecay.stepSize'],
      [() => exponentialDecay(0.1, 0), 'exponentialDecay.gamma'],
      [() => cosineAnnealing(0.1, { tMax: 2.5 }), 'cosineAnnealing.tMax'],
      [() => cosineAnnealing(0.1, { tMax: 5, etaMin: 0.2 }), 'cosineAnnealing.etaMin'],
      [() => warmupCosine(0.1, { warmup: 5, total: 5 }), 'warmupCosine.total'],
      [() => constantSchedule(0.1)(1.5), 'constantSchedule'],
      [() => cosineAnnealing(0.1, { tMax: 5 })(-1), 'cosineAnnealing'],
    ];
    for (const [fn, where] of cases) {
      expect(fn, where).toThrow(SpikeflowError);
      try {
        fn();
      } catch (error) {
        expect((error as SpikeflowError).where).toBe(where);
        expect((error as SpikeflowError).code).toBe('attr');
      }
    }
  });
});
