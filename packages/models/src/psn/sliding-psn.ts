import { z } from 'zod';
import type { GraphBuilder, SurrogateName, Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';
import { psnSpikes, psnSurrogateFields, timeMajor } from './psn.js';

/**
 * The sliding PSN of order k (SpikingJelly's `SlidingPSN`): H[t] = Σ_{i<k} W_i X[t − k + 1 + i] + b,
 * inputs before t = 0 counting as zero, S = spike(H). W [k] and the scalar b are shared across
 * time and neurons, so it works for any T.
 */
const schema = z.strictObject({
  kind: z.literal('slidingPsn'),
  /** Order: how many of the latest inputs each step sees. */
  k: z.number().int().positive(),
  /** W = [2^−(k−1), …, 1/4, 1/2, 1] when true, else kaiming-uniform U(±1/√k) (SpikingJelly's `exp_init`). */
  expInit: z.boolean().default(true),
  /** `parallel`: all steps at once; `step`: a scan whose carry is the last k inputs. Same outputs. */
  mode: z.enum(['parallel', 'step']).default('parallel'),
  ...psnSurrogateFields,
});

export type SlidingPsnSpec = Readonly<z.output<typeof schema>>;
export type SlidingPsnOptions = Partial<Omit<SlidingPsnSpec, 'kind' | 'k'>>;

export function slidingPsn(k: number, options: SlidingPsnOptions = {}): SlidingPsnSpec {
  return validateLayerSpec(schema, { ...options, kind: 'slidingPsn', k });
}

/** SpikingJelly's exponential init: the newest input weighs 1 and each older one half the next. */
export function slidingPsnExpWeights(k: number): number[] {
  return Array.from({ length: k }, (_, i) => 2 ** -(k - 1 - i));
}

/**
 * H for X [T, N] as k shifted views of one copy of X with k − 1 zero rows in front: view i is
 * X[t − k + 1 + i], so the sum needs no [T, T] matrix (O(k·T·N) instead of SpikingJelly's gemm
 * O(T²·N)), every term is elementwise and fuses, and the gradient is just slices and pads.
 */
export function slidingPsnCharge(w: Tensor, bias: Tensor, x2: Tensor): Tensor {
  const T = x2.shape[0]!;
  const k = w.shape[0]!;
  const padded = x2.pad([[k - 1, 0], [0, 0]]);
  const terms = Array.from({ length: k }, (_, i) => padded.slice([i], [i + T]).mul(w.slice([i], [i + 1])));
  return terms.reduce((sum, term) => sum.add(term)).add(bias);
}

/**
 * The step-by-step form of a windowed PSN: a scan whose carries are the last k inputs (oldest
 * first, zeros before t = 0, SpikingJelly's queue). Step t pushes X[t], drops the oldest and fires
 * spike(Σ_i bands[t][i]·queue[i] + bias[t]). The queue is k separate [N] carries and the weights
 * come in as per-step scalars, so the body is elementwise and a backend can run the whole scan as
 * one loop per neuron. Masked PSN reuses it with per-step band rows.
 */
export function windowScan(
  b: GraphBuilder,
  x2: Tensor,
  bands: Tensor,
  bias: Tensor,
  spec: { readonly surrogate: SurrogateName; readonly alpha?: number },
): Tensor {
  const [T, N] = x2.shape as [number, number];
  const k = bands.shape[1]!;
  const zero = b.constant(0, [N]);
  const columns = Array.from({ length: k }, (_, i) => bands.slice([0, i], [T, i + 1]));
  const { outputs } = b.scan({
    carries: Array.from({ length: k }, () => zero),
    sequences: [x2, bias, ...columns],
    body: (_, queue, [xt, bt, ...wt]) => {
      const window = [...queue.slice(1), xt!];
      const h = window.map((q, i) => wt[i]!.mul(q)).reduce((sum, term) => sum.add(term)).add(bt!);
      return { carries: window, outputs: [h.spike({ kind: spec.surrogate, alpha: spec.alpha })] };
    },
  });
  return outputs[0]!;
}

export function slidingPsnParams(b: GraphBuilder, spec: SlidingPsnSpec): { w: Tensor; bias: Tensor } {
  const bound = 1 / Math.sqrt(spec.k);
  const w = spec.expInit
    ? b.param('w', [spec.k], { kind: 'values', values: slidingPsnExpWeights(spec.k) })
    : b.param('w', [spec.k], { kind: 'uniform', low: -bound, high: bound });
  // A scalar threshold, as SpikingJelly's `torch.as_tensor(-1.)`.
  return { w, bias: b.param('b', [], { kind: 'fill', value: -1 }) };
}

export function buildSlidingPsn(b: GraphBuilder, x: Tensor, spec: SlidingPsnSpec): Tensor {
  const { w, bias } = slidingPsnParams(b, spec);
  const x2 = timeMajor(x);
  const T = x2.shape[0]!;
  if (spec.mode === 'step') {
    const s = windowScan(b, x2, w.reshape([1, spec.k]).broadcastTo([T, spec.k]), bias.broadcastTo([T]), spec);
    return s.reshape(x.shape);
  }
  return psnSpikes(slidingPsnCharge(w, bias, x2), x, spec);
}

export const slidingPsnLayer: LayerDefinition<SlidingPsnSpec> = { schema, build: buildSlidingPsn };
