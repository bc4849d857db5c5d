import { fail, formatShape, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { populationEncode } from '../encoders/population.js';
import { rateEncode } from '../encoders/rate.js';

export interface ObservationSpikesOptions {
  /** Per observation dimension, the range its receptive fields tile (values outside still excite the end fields). */
  readonly low: readonly number[];
  readonly high: readonly number[];
  /** Gaussian receptive fields per dimension (population coding, `populationEncode`). */
  readonly neurons: number;
  /** Reservoir steps per observation. */
  readonly steps: number;
  /**
   * `bernoulli` (default): each field's activation is its spike probability per step (`rateEncode`).
   * `current`: each field's activation is a constant input current at every step, a deterministic
   * code (the same observation always drives the reservoir the same way).
   */
  readonly code?: 'bernoulli' | 'current';
  /** Spike probability (or current) per step of a fully active field (default 1). */
  readonly gain?: number;
  readonly seed?: number;
  /** The draw's counter: a different value per observation gives fresh spikes (default the `randomStep` input). */
  readonly counter?: Tensor | number;
}

/**
 * An observation batch [B, D] as spikes [T, B, D·n]: each dimension is scaled to [0, 1] by its
 * range, population-coded by n Gaussian fields (σ = one field spacing) and each field's activation
 * in [0, 1] rate-coded as Bernoulli spikes for T steps, or (`code: 'current'`) repeated T times as
 * a constant current gain·activation.
 */
export function observationSpikes(b: GraphBuilder, observation: Tensor, options: ObservationSpikesOptions): Tensor {
  const { low, high, neurons, steps } = options;
  const d = observation.shape[1];
  if (observation.rank !== 2 || low.length !== d || high.length !== d) fail('shape', `${b.path()}.observation`, 'observation must be [B, D] with one range per dimension', `[B, ${low.length}]`, formatShape(observation.shape));
  low.forEach((lo, i) => {
    if (!(Number.isFinite(lo) && Number.isFinite(high[i]!) && high[i]! > lo)) fail('attr', `observationSpikes.high[${i}]`, 'each range must be finite with high > low', `> ${lo}`, String(high[i]));
  });
  const scaled = observation.sub(b.constant([...low], [d])).div(b.constant(high.map((h, i) => h - low[i]!), [d]));
  const fields = populationEncode(b, scaled, { neurons, low: 0, high: 1 });
  const flat = fields.reshape([observation.shape[0]!, d * neurons]);
  if (options.code === 'current') return flat.mul(options.gain ?? 1).reshape([1, ...flat.shape]).broadcastTo([steps, ...flat.shape]);
  return rateEncode(b, flat, { steps, gain: options.gain, seed: options.seed, counter: options.counter });
}
