import { fail, GraphBuilder, tensor, type Graph, type HostTensor, type TrainBackend } from '@spikeflow/core';
import { applySequential, type SequentialSpec } from '../spec/sequential.js';
import { annLayers, weightLayers } from './ann-mlp.js';
import { percentile } from './percentile.js';

/**
 * Data-based threshold balancing (Rueckauer et al. 2017, section 2.3): the scale λ_l of each
 * weight layer is a high percentile of its activations over training data, so that after
 * W_l ← W_l·λ_{l−1}/λ_l and b_l ← b_l/λ_l the activations rarely exceed 1, the most an IF neuron
 * with threshold 1 can fire per step.
 */

/** How λ_l is chosen: `percentile` (the paper's robust normalisation), `max` (p = 100, Diehl et al. 2015), or `none` (λ_l = 1). */
export type ScaleMethod = 'percentile' | 'max' | 'none';

export interface ScaleOptions {
  /** Default `percentile`. */
  readonly method?: ScaleMethod;
  /** p of the `percentile` method, in (0, 100] (default 99.9, the paper's usual choice). */
  readonly percentile?: number;
}

export const DEFAULT_PERCENTILE = 99.9;

/** λ of one weight layer, by its scope (e.g. `linear2`). */
export interface LayerScale {
  readonly layer: string;
  readonly scale: number;
}

/**
 * The forward graph of an analog network on a batch x [batch, in] whose outputs are the
 * activations of each weight layer, named by its scope: the ReLU's output for a hidden layer,
 * the linear output for the last.
 */
export function activationGraph(ann: SequentialSpec | string, batch: number): Graph {
  const layers = weightLayers(ann);
  const b = new GraphBuilder();
  const x = b.input('x', [batch, layers[0]!.spec.in]);
  const outputs = applySequential(b, ann, x, annLayers);
  return b.finish(Object.fromEntries(layers.map((l) => [l.name, outputs[l.rectified ? l.index + 1 : l.index]!.output])));
}

/**
 * Every weight layer's activations over `images` ([count·in] row-major), run with `params` on
 * `backend` in batches of `batch` (the last, partial batch padded and its padding dropped).
 */
export async function layerActivations(
  backend: TrainBackend,
  ann: SequentialSpec | string,
  params: Readonly<Record<string, HostTensor>>,
  data: { readonly count: number; readonly images: Float32Array },
  batch = 500,
): Promise<Map<string, Float32Array>> {
  const layers = weightLayers(ann);
  const features = layers[0]!.spec.in;
  if (data.images.length !== data.count * features) fail('feed', 'data.images', `${data.count} samples of ${features} features`, `${data.count * features} values`, `${data.images.length}`);
  const runner = await backend.compile(activationGraph(ann, batch));
  try {
    runner.setParams(params);
    const result = new Map(layers.map((l) => [l.name, new Float32Array(data.count * l.spec.out)]));
    for (let start = 0; start < data.count; start += batch) {
      const n = Math.min(batch, data.count - start);
      const x = new Float32Array(batch * features);
      x.set(data.images.subarray(start * features, (start + n) * features));
      const out = await runner.run({ x: tensor([batch, features], x) });
      for (const l of layers) result.get(l.name)!.set(out[l.name]!.data.subarray(0, n * l.spec.out), start * l.spec.out);
    }
    return result;
  } finally {
    runner.destroy();
  }
}

/**
 * λ_l of each weight layer from its activations. As in the paper's reference implementation,
 * the percentile is taken over the positive activations only: with most ReLUs silent, a
 * percentile over all of them would sit near 0. The output layer's linear values are treated
 * the same way, since its IF neurons can only express their positive part.
 */
export function activationScales(ann: SequentialSpec | string, activations: ReadonlyMap<string, ArrayLike<number>>, options: ScaleOptions = {}): LayerScale[] {
  const method = options.method ?? 'percentile';
  const p = method === 'max' ? 100 : (options.percentile ?? DEFAULT_PERCENTILE);
  if (method === 'percentile' && !(p > 0 && p <= 100)) fail('attr', 'options.percentile', 'the percentile must be in (0, 100]', '0 < p <= 100', String(p));
  return weightLayers(ann).map(({ name }) => {
    if (method === 'none') return { layer: name, scale: 1 };
    const values = activations.get(name);
    if (values === undefined) fail('feed', `activations.${name}`, 'no activations given for this layer', `the activations of ${name}`, 'none');
    const positive = positivePart(values, `activations.${name}`);
    if (positive.length === 0) fail('feed', `activations.${name}`, 'the layer is never active on the normalisation data, so it has no scale', 'some positive activations', 'none');
    return { layer: name, scale: percentile(positive, p, `activations.${name}`) };
  });
}

/** The positive values, failing on NaN (which would otherwise drop out of a `> 0` test unseen). */
function positivePart(values: ArrayLike<number>, where: string): Float64Array {
  const kept = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) fail('nan', where, `activation ${i} is NaN`, 'finite activations', 'NaN');
    if (v > 0) kept[n++] = v;
  }
  return kept.subarray(0, n);
}
