import { fail, tensor, type TrainBackend } from '@spikeflow/core';
import { countCorrect } from '../losses/accuracy.js';
import type { ConvertedSnn } from './convert.js';
import { convertedSnnGraph, POISSON_DRAW_INPUT, snnOutputName, type InputEncoding } from './snn-graph.js';

/** Labelled samples: `count` rows of row-major features and their class indices. */
export interface LabelledData {
  readonly count: number;
  readonly images: Float32Array;
  readonly labels: Int32Array;
}

/** Held-out accuracy of a converted SNN after t steps, by spike counts and by accumulated membrane. */
export interface SnnAccuracy {
  readonly steps: number;
  /** Argmax of the output spike counts (ties to the lowest class, as `argmax`). */
  readonly counts: number;
  /** Argmax of the output layer's summed input current (counts plus residual potential). */
  readonly membrane: number;
}

export interface SnnEvalOptions {
  /** The steps to score; the network runs once for the longest and is read at each. */
  readonly steps: readonly number[];
  readonly batch: number;
  readonly encoding?: InputEncoding;
  readonly seed?: number;
}

/**
 * Runs a converted SNN on every sample of `data` (the last, partial batch padded and its padding
 * not scored) and returns its accuracy at each number of steps.
 */
export async function evaluateSnn(backend: TrainBackend, snn: ConvertedSnn, data: LabelledData, options: SnnEvalOptions): Promise<SnnAccuracy[]> {
  const { batch } = options;
  if (options.steps.length === 0) fail('attr', 'steps', 'give at least one number of steps to score', 'a non-empty list', '[]');
  const longest = Math.max(...options.steps);
  const features = data.count === 0 ? 0 : data.images.length / data.count;
  if (data.count < 1 || !Number.isInteger(features)) fail('feed', 'data.images', 'the images must hold a whole number of features per sample', 'count × features values', `${data.images.length} for ${data.count} samples`);
  const runner = await backend.compile(convertedSnnGraph(snn, { steps: longest, batch, readAt: options.steps, encoding: options.encoding, seed: options.seed }));
  const correct = new Map(options.steps.map((t) => [t, { counts: 0, membrane: 0 }]));
  try {
    runner.setParams(snn.params);
    for (let start = 0, draw = 0; start < data.count; start += batch, draw++) {
      const n = Math.min(batch, data.count - start);
      const x = new Float32Array(batch * features);
      x.set(data.images.subarray(start * features, (start + n) * features));
      const out = await runner.run({ x: tensor([batch, features], x), ...(options.encoding === 'poisson' ? { [POISSON_DRAW_INPUT]: tensor([], [draw], 'u32') } : {}) });
      const labels = data.labels.subarray(start, start + n);
      for (const t of options.steps) {
        const tally = correct.get(t)!;
        for (const kind of ['counts', 'membrane'] as const) {
          const scores = out[snnOutputName(kind, t)]!;
          const classes = scores.type.shape[1]!;
          tally[kind] += countCorrect({ type: { shape: [n, classes], dtype: 'f32' }, data: scores.data.subarray(0, n * classes) }, labels);
        }
      }
    }
  } finally {
    runner.destroy();
  }
  return options.steps.map((t) => ({ steps: t, counts: correct.get(t)!.counts / data.count, membrane: correct.get(t)!.membrane / data.count }));
}
