import { describe, expect, it } from 'vitest';
import type { ResultRow } from './experiment.js';
import { mergeRows, resultsMarkdown } from './results-file.js';

const row = (experiment: string, model: string, seed: number, value: number): ResultRow => ({
  experiment,
  model,
  metric: 'test accuracy',
  value,
  seed,
  sizes: { epochs: 2 },
  device: 'test device',
  wall_s: 1,
});

const ORDER = ['store-recall', 'smnist'];

describe('results file', () => {
  it('a run replaces only its own experiment at its own seed; other seeds and experiments stay, ordered by experiment then seed', () => {
    const previous = [row('smnist', 'PSN', 2, 0.95), row('store-recall', 'ALIF', 1, 0.01), row('smnist', 'PSN', 1, 0.9), row('smnist', 'LIF', 1, 0.8)];
    const merged = mergeRows(previous, [row('smnist', 'PSN', 1, 0.97)], { experiment: 'smnist', seed: 1 }, ORDER);
    expect(merged.map((r) => [r.experiment, r.model, r.seed, r.value])).toEqual([
      ['store-recall', 'ALIF', 1, 0.01],
      ['smnist', 'PSN', 1, 0.97],
      ['smnist', 'PSN', 2, 0.95],
    ]);
  });

  it('a run of some variants replaces only those models at its seed', () => {
    const previous = [row('smnist', 'PSN', 2, 0.95), row('smnist', 'LIF', 2, 0.8), row('smnist', 'PSN', 3, 0.96)];
    const merged = mergeRows(previous, [row('smnist', 'PSN', 2, 0.97)], { experiment: 'smnist', seed: 2, models: ['PSN'] }, ORDER);
    expect(merged.map((r) => [r.model, r.seed, r.value])).toEqual([
      ['LIF', 2, 0.8],
      ['PSN', 2, 0.97],
      ['PSN', 3, 0.96],
    ]);
  });

  it('RESULTS.md gives mean, sample sd, extremes and the seeds meeting the target of a model run at several seeds', () => {
    const targeted = (seed: number, value: number): ResultRow => ({ ...row('smnist', 'PSN', seed, value), target: '>= 0.96', met: value >= 0.96 });
    const text = resultsMarkdown([targeted(1, 0.95), targeted(2, 0.97), targeted(3, 0.96), row('smnist', 'LIF', 1, 0.88)], new Map([['smnist', 'title']]));
    // mean (0.95 + 0.97 + 0.96) / 3 = 0.96; sd sqrt((0.01² + 0.01² + 0) / 2) = 0.01.
    expect(text).toContain('- PSN, test accuracy over seeds 1, 2, 3: mean 0.9600, sample sd 0.0100, min 0.9500, max 0.9700; >= 0.96 met at 2 of 3 seeds');
    expect(text).not.toContain('- LIF, test accuracy over seeds');
  });

  it('RESULTS.md names the seed of each row in the sizes list once several seeds are present', () => {
    const titles = new Map([['smnist', 'title']]);
    const one = resultsMarkdown([row('smnist', 'PSN', 1, 0.97)], titles);
    expect(one).toContain('- PSN: epochs 2');
    const two = resultsMarkdown([row('smnist', 'PSN', 1, 0.97), row('smnist', 'PSN', 2, 0.95)], titles);
    expect(two).toContain('- PSN (seed 1): epochs 2');
    expect(two).toContain('- PSN (seed 2): epochs 2');
    expect(two).toContain('| PSN | test accuracy | 0.9500 |  |  | 2 | 1 s | test device |');
  });

  it('RESULTS.md writes values near machine precision in exponent form, 0 and larger values in fixed form', () => {
    const text = resultsMarkdown([row('smnist', 'tiny', 1, 6.6e-16), row('smnist', 'zero', 1, 0), row('smnist', 'small', 1, 0.0012)], new Map([['smnist', 'title']]));
    expect(text).toContain('| tiny | test accuracy | 6.60e-16 |');
    expect(text).toContain('| zero | test accuracy | 0.0000 |');
    expect(text).toContain('| small | test accuracy | 0.0012 |');
  });
});
