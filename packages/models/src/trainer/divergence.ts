import { fail } from '@spikeflow/core';
import { describePoint, type RunPoint } from './state-check.js';

/** The default growth of the loss over its first value that counts as divergence. */
export const DIVERGENCE_FACTOR = 10;

/**
 * Watches the losses read back and warns once when one exceeds `factor` times the first (a learning
 * rate far too high trains to a loss of 1e8 at chance, every value finite). Only a positive first
 * loss is a scale to grow from. A non-finite loss is the trainer's to stop on.
 */
export class DivergenceWatch {
  private first: { loss: number; step: number } | undefined;
  private warned = false;

  constructor(
    private readonly factor: number,
    private readonly warn: (message: string) => void,
  ) {
    if (!Number.isFinite(factor) || factor <= 1) fail('attr', 'divergenceFactor', 'the loss growth that counts as divergence must be a finite number > 1', 'a number > 1', String(factor));
  }

  observe(loss: number, at: RunPoint): void {
    if (this.first === undefined) {
      this.first = { loss, step: at.step };
      return;
    }
    if (this.warned || !(this.first.loss > 0) || !(loss > this.factor * this.first.loss)) return;
    this.warned = true;
    this.warn(`the loss diverges: ${loss} at ${describePoint(at)} is more than ${this.factor} times the first loss read, ${this.first.loss} at step ${this.first.step}; lower the learning rate`);
  }
}
