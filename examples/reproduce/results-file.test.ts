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

  it('RESULTS.md names the seed of each row in the sizes list once several seeds are present', () => {
    const titles = new Map([['smnist', 'title']]);
    const one = resultsMarkdown([row('smnist', 'PSN', 1, 0.97)], titles);
    expect(one).toContain('- PSN: epochs 2');
    const two = resultsMarkdown([row('smnist', 'PSN', 1, 0.97), row('smnist', 'PSN', 2, 0.95)], titles);
    expect(two).toContain('- PSN (seed 1): epochs 2');
    expect(two).toContain('- PSN (seed 2): epochs 2');
    expect(two).toContain('| PSN | test accuracy | 0.9500 |  |  | 2 | 1 s | test device |');
  });
});
