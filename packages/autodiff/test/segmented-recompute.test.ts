import { SpikeflowError } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { grad, savedTensorStats } from '../src/index.js';
import { expectSameValues, gradOf, lifCase, nestedCase, recurrentCase, twoCarryCase, type ScanCase } from './support/scan-cases.js';

/**
 * Checkpointed BPTT (config.checkpointEvery = k) recomputes the carries within each segment
 * instead of saving them. It runs the same arithmetic in the same order, so its gradients must
 * equal the saving version's to rounding, while it keeps ceil(T/k) carries instead of T.
 */

interface CheckpointCase {
  readonly case: ScanCase;
  readonly T: number;
  /** Elements of all the carries together. */
  readonly carryElements: number;
}

const cases: CheckpointCase[] = [
  { case: lifCase(100, { reset: 'hard', detachReset: false }), T: 100, carryElements: 2 * 4 },
  { case: lifCase(20, { reset: 'soft', detachReset: true }), T: 20, carryElements: 2 * 4 },
  { case: recurrentCase(100), T: 100, carryElements: 2 * 3 },
  { case: recurrentCase(20, true), T: 20, carryElements: 2 * 3 },
  // v and a ([2, 3] each) and the scalar i32 counter.
  { case: twoCarryCase(20), T: 20, carryElements: 2 * 6 + 1 },
];

describe('checkpointed BPTT', () => {
  for (const { case: c, T, carryElements } of cases) {
    describe(c.name, () => {
      let memo: ReturnType<typeof gradOf> | undefined;
      const saving = () => (memo ??= gradOf(c));
      it('saves every step: T x |carries| elements', () => {
        expect(savedTensorStats(saving().graph).elements).toBe(T * carryElements);
      });
      for (const k of [1, 5, 7, 10, T]) {
        it(`checkpointEvery = ${k}: identical gradients, ceil(T/k) x |carries| saved`, () => {
          const checkpointed = gradOf(c, { checkpointEvery: k });
          expectSameValues(checkpointed.values, saving().values, 1e-12);
          const stats = savedTensorStats(checkpointed.graph);
          console.log(`${c.name}: saved elements ${savedTensorStats(saving().graph).elements} -> ${stats.elements} with checkpointEvery = ${k}`);
          expect(stats.elements).toBe(Math.ceil(T / k) * carryElements);
        });
      }
    });
  }

  it('a nested scan checkpoints both levels and keeps its gradients', () => {
    const c = nestedCase(6, 5);
    const saving = gradOf(c);
    const checkpointed = gradOf(c, { checkpointEvery: 4 });
    expectSameValues(checkpointed.values, saving.values, 1e-12);
    // The outer carry is [2, 3]: 6 saved rows become 2 checkpoints (a segment of 4 steps, a tail of 2).
    // The inner scans keep their residuals inside the outer backward body, so they are not counted.
    expect(savedTensorStats(saving.graph).elements).toBe(6 * 6);
    expect(savedTensorStats(checkpointed.graph).elements).toBe(2 * 6);
  });

  it('a checkpoint interval longer than the scan saves only the initial carries', () => {
    const c = recurrentCase(20);
    expectSameValues(gradOf(c, { checkpointEvery: 50 }).values, gradOf(c).values, 1e-12);
    expect(savedTensorStats(gradOf(c, { checkpointEvery: 50 }).graph).elements).toBe(6);
  });

  it('rejects a checkpoint interval that is not a positive whole number, naming the scan', () => {
    const forward = recurrentCase(10).build('scan');
    const scanName = Object.values(forward.nodes).find((n) => n.op === 'scan')!.name;
    for (const k of [0, -3, 2.5]) {
      let error: unknown;
      try {
        grad(forward, { of: 'loss', wrt: ['w'], checkpointEvery: k });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SpikeflowError);
      expect((error as SpikeflowError).where).toBe(scanName);
      expect((error as SpikeflowError).message).toContain('checkpointEvery');
    }
  });
});
