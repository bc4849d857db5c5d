import { fail, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { checkPositive, checkRange } from './check.js';

export interface PopulationOptions {
  /** n ≥ 2 neurons per value, with centres μ_j = low + j·Δ, Δ = (high − low)/(n − 1). */
  readonly neurons: number;
  readonly low: number;
  readonly high: number;
  /** σ of each receptive field in units of Δ (default 1). */
  readonly width?: number;
}

function centres(o: PopulationOptions): { centres: number[]; sigma: number } {
  const { neurons, low, high, width = 1 } = o;
  if (!Number.isSafeInteger(neurons) || neurons < 2) fail('attr', 'population.neurons', 'a population needs at least 2 neurons', 'an integer >= 2', String(neurons));
  checkRange('population', low, high);
  checkPositive('population.width', width);
  const spacing = (high - low) / (neurons - 1);
  return { centres: Array.from({ length: neurons }, (_, j) => low + j * spacing), sigma: width * spacing };
}

/**
 * Population coding with Gaussian receptive fields: x of shape S becomes activations [...S, n],
 * a_j = exp(−(x − μ_j)²/(2σ²)) in [0, 1]. Feed them to `rateEncode` or `latencyEncode` for spikes.
 */
export function populationEncode(b: GraphBuilder, x: Tensor, options: PopulationOptions): Tensor {
  const { centres: mu, sigma } = centres(options);
  const z = x.reshape([...x.shape, 1]).sub(b.constant(mu, [mu.length])).div(sigma);
  return z.mul(z).mul(-0.5).exp();
}

/**
 * The inverse of `populationEncode`: the activity-weighted centre Σ a_j μ_j / Σ a_j over the last
 * axis (activations, or spike rates from `rateDecode`); a silent population gives the range's
 * midpoint. With width 1 the error is below 10⁻³·Δ for x in [low + 3Δ, high − 3Δ]; nearer the
 * ends the missing fields outside the range pull the estimate inwards.
 */
export function populationDecode(b: GraphBuilder, activity: Tensor, options: PopulationOptions): Tensor {
  const { centres: mu } = centres(options);
  if (activity.shape[activity.rank - 1] !== mu.length) fail('shape', b.path(), 'the last axis of a population activity must have one entry per neuron', String(mu.length), String(activity.shape[activity.rank - 1]));
  const total = activity.sum(-1);
  const weighted = activity.mul(b.constant(mu, [mu.length])).sum(-1);
  const mid = (options.low + options.high) / 2;
  return b.where(total.greater(0), weighted.div(total.maximum(1e-30)), mid);
}
