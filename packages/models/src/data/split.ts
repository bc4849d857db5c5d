import { fail } from '@spikeflow/core';
import { SeededRng } from '../trainer/data-rng.js';
import { sampleCount, subset, type LabelledDataset } from './dataset.js';

export interface DatasetSplit {
  readonly train: LabelledDataset;
  readonly validation?: LabelledDataset;
  readonly test?: LabelledDataset;
}

export interface SplitOptions {
  /** The fraction of samples held out for testing (default 0: none). */
  readonly test?: number;
  /** The fraction held out for validation (default 0: none). */
  readonly validation?: number;
  /** Seeds the shuffle, so a seed fixes which samples land where. */
  readonly seed: number;
}

function fraction(name: string, value: number | undefined): number {
  const f = value ?? 0;
  if (!Number.isFinite(f) || f < 0 || f >= 1) fail('attr', `split.${name}`, 'a held-out fraction lies in [0, 1)', 'a number in [0, 1)', String(value));
  return f;
}

/** The samples in a seeded random order. */
export function shuffleDataset(d: LabelledDataset, seed: number): LabelledDataset {
  return subset(d, new SeededRng(seed).permutation(sampleCount(d)));
}

/**
 * Shuffles with `seed`, then cuts off round(test·N) test samples and round(validation·N)
 * validation samples; the rest train. Every part asked for must get at least one sample.
 */
export function splitDataset(d: LabelledDataset, options: SplitOptions): DatasetSplit {
  const test = fraction('test', options.test);
  const validation = fraction('validation', options.validation);
  const n = sampleCount(d);
  const counts = { test: Math.round(test * n), validation: Math.round(validation * n) };
  for (const [part, f] of [['test', test], ['validation', validation]] as const) {
    if (f > 0 && counts[part] === 0) fail('attr', `split.${part}`, `${f} of ${n} samples is less than one sample`, '>= 1 sample', '0');
  }
  const trainCount = n - counts.test - counts.validation;
  if (trainCount < 1) fail('attr', 'split', `the held-out parts take all ${n} samples`, '>= 1 training sample', String(trainCount));
  const order = new SeededRng(options.seed).permutation(n);
  const part = (from: number, count: number, suffix: string) => (count === 0 ? undefined : subset(d, order.slice(from, from + count), `${d.name} (${suffix})`));
  const held = {
    test: part(trainCount + counts.validation, counts.test, 'test'),
    validation: part(trainCount, counts.validation, 'validation'),
  };
  return {
    train: subset(d, order.slice(0, trainCount)),
    ...(held.validation === undefined ? {} : { validation: held.validation }),
    ...(held.test === undefined ? {} : { test: held.test }),
  };
}
