// The reproduce plots redrawn from saved rows (replot.ts): the rows' numbers reach the plot's data
// in the plot's units, and a malformed row is one error naming it.
import { describe, expect, it } from 'vitest';
import type { ResultRow } from './experiment.js';
import { conversionPlotSpecFromRows } from './experiments/ann-conversion.js';
import { accuracyBytesSpecFromRows } from './experiments/federated-mnist.js';

const base = { metric: 'test accuracy', seed: 1, device: 'cpu', wall_s: 1 };
const dataOf = (spec: unknown) => (spec as { data: { values: { x: number; series: string; value: number }[] } }).data.values;

describe('federated-mnist from saved rows', () => {
  const rows: ResultRow[] = [
    { ...base, experiment: 'federated-mnist', model: 'centralised', value: 0.9, sizes: { localSteps: 'all' }, extra: { curve: [{ bytes: 0, validationAccuracy: 0.91 }] } },
    { ...base, experiment: 'federated-mnist', model: 'FedAvg τ = 5', value: 0.8, sizes: { localSteps: 5 }, extra: { curve: [{ bytes: 1e6, validationAccuracy: 0.5 }, { bytes: 4e6, validationAccuracy: 0.75 }] } },
  ];

  it('plots accuracy (%) against megabytes, the centralised run as a flat line at its last accuracy', () => {
    expect(dataOf(accuracyBytesSpecFromRows(rows))).toEqual([
      { x: 1, series: 'FedAvg τ = 5', value: 50 },
      { x: 4, series: 'FedAvg τ = 5', value: 75 },
      { x: 1, series: 'centralised (no traffic)', value: 91 },
      { x: 4, series: 'centralised (no traffic)', value: 91 },
    ]);
  });

  it('names a row whose curve is not numbers', () => {
    const bad = [rows[0]!, { ...rows[1]!, extra: { curve: [{ bytes: 'many', validationAccuracy: 0.5 }] } }];
    expect(() => accuracyBytesSpecFromRows(bad)).toThrow('federated-mnist row "FedAvg τ = 5": extra.curve is not a list of { bytes, validationAccuracy } numbers');
  });
});

describe('ann-conversion from saved rows', () => {
  const snn = (steps: number, readout: string, value: number): ResultRow => ({ ...base, experiment: 'ann-conversion', model: `SNN ${steps} ${readout}`, value, sizes: {}, extra: { steps, readout } });
  const ann: ResultRow = { ...base, experiment: 'ann-conversion', model: 'ANN (ReLU MLP)', value: 0.95, sizes: {} };

  it('plots held-out error (%) per T for the ANN and both readouts', () => {
    const values = dataOf(conversionPlotSpecFromRows([ann, snn(100, 'counts', 0.94), snn(10, 'counts', 0.9), snn(10, 'membrane', 0.93), snn(100, 'membrane', 0.96)]));
    expect(values.map((v) => [v.series, v.x, +v.value.toFixed(6)])).toEqual([
      ['ANN', 10, 5],
      ['ANN', 100, 5],
      ['SNN, spike counts', 10, 10],
      ['SNN, spike counts', 100, 6],
      ['SNN, membrane', 10, 7],
      ['SNN, membrane', 100, 4],
    ]);
  });

  it('names a T without both readouts', () => {
    expect(() => conversionPlotSpecFromRows([ann, snn(10, 'counts', 0.9)])).toThrow('ann-conversion: T = 10 lacks its membrane row');
  });
});
