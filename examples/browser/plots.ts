// The page's plots as Vega-Lite specs, from what the page holds (its progress, the probe's
// [T, B, N] tensors, a weight matrix): the learning curves and the spike raster are the CLI's own
// specs (@spikeflow/plot); the membrane traces and the weight heat map are built here in
// the same look. live-plot.ts draws them.
import { toArray, type HostTensor } from '@spikeflow/core';
import { curvesSpec, rasterSpec, type CurvePoint, type PlotSpec } from '@spikeflow/plot';
import { heatmapSpec } from './heatmap-spec.js';
import { linesSpec } from './lines-spec.js';

/** The membrane traces of this many neurons are shown. */
export const TRACED_NEURONS = 5;

/** Training loss per step (step k at index k) and held-out accuracy at the probed steps: a loss panel above an accuracy panel with the chance line. */
export function learningCurvesSpec(losses: readonly number[], accuracies: readonly number[], accuracySteps: readonly number[], chance: number): PlotSpec {
  const accuracyAt = new Map(accuracySteps.map((step, k) => [step, accuracies[k]!]));
  const steps = [...new Set([...losses.keys(), ...accuracySteps])].sort((a, b) => a - b);
  const points: CurvePoint[] = steps.map((step) => ({ epoch: step, loss: losses[step] ?? Number.NaN, testAccuracy: accuracyAt.get(step) }));
  return curvesSpec(points, '', { metric: 'accuracy', value: chance }, 'training step');
}

/** Spikes [T, B, N] of the first `samples` batch entries, one after another in time. */
export function spikeRasterSpec(spikes: HostTensor, samples: number, layer: string): PlotSpec {
  const [T, B, N] = spikes.type.shape as [number, number, number];
  const data = toArray(spikes);
  const shown = Math.min(samples, B);
  const values = new Float32Array(shown * T * N);
  for (let s = 0; s < shown; s++) for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) values[(s * T + t) * N + n] = data[(t * B + s) * N + n]!;
  return rasterSpec([{ name: layer, units: N, values }], shown * T, '');
}

/** Membranes [T, B, N] of the first TRACED_NEURONS neurons of batch entry 0, with the firing threshold dashed. */
export function membraneTracesSpec(membrane: HostTensor, threshold: number): PlotSpec {
  const [T, B, N] = membrane.type.shape as [number, number, number];
  const data = toArray(membrane);
  const lines = Array.from({ length: Math.min(TRACED_NEURONS, N) }, (_, n) => ({ name: `neuron ${n}`, values: Array.from({ length: T }, (_, t) => data[t * B * N + n]!) }));
  return linesSpec({ xTitle: 'time step', yTitle: 'membrane', lines, reference: { label: `threshold (${threshold})`, value: threshold }, points: T <= 50 });
}

/** A weight matrix [rows, cols]. */
export function weightsSpec(matrix: HostTensor, labels: { readonly rows: string; readonly cols: string }): PlotSpec {
  const [rows, cols] = matrix.type.shape as [number, number];
  return heatmapSpec({ rows, cols, values: toArray(matrix), rowTitle: labels.rows, colTitle: labels.cols });
}
