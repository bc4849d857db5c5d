import { fail, formatShape, type Tensor } from '@spikeflow/core';

function expectNonNegative(where: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) fail('attr', `${where}.${name}`, 'regularizer parameter out of range', 'a number >= 0', String(value));
}

/** Each neuron's firing rate (spikes per step) averaged over time and batch: [T, B, ...N] -> [...N]. */
function neuronRates(spikes: Tensor, where: string): Tensor {
  if (spikes.rank < 3) fail('shape', where, 'spikes are time-major [T, B, ...neurons]', '[T, B, N]', formatShape(spikes.shape));
  return spikes.mean([0, 1]);
}

/**
 * A layer's firing-rate regularizer, weight * mean_n (r_n - target)^2 with r_n neuron n's rate
 * in spikes per step: it pulls every neuron towards the target rate. Add one per layer.
 */
export function rateRegularizer(spikes: Tensor, options: { readonly target: number; readonly weight: number }): Tensor {
  const b = spikes.builder;
  return b.scope('rate_regularizer', () => {
    expectNonNegative('rateRegularizer', 'target', options.target);
    expectNonNegative('rateRegularizer', 'weight', options.weight);
    const d = neuronRates(spikes, b.path()).sub(options.target);
    return d.mul(d).mean().mul(options.weight);
  });
}

/**
 * The LSNN paper's (Bellec et al. 2018, LSNN-official) rate regularizer,
 * weight * sum_n (r_n / dt - f0)^2, with rates per ms (dt in ms) and f0 = targetHz / 1000: a sum
 * over neurons, so its scale grows with the layer.
 */
export function lsnnRateRegularizer(spikes: Tensor, options: { readonly targetHz: number; readonly weight: number; readonly dtMs?: number }): Tensor {
  const b = spikes.builder;
  const { targetHz, weight, dtMs = 1 } = options;
  return b.scope('rate_regularizer', () => {
    expectNonNegative('lsnnRateRegularizer', 'targetHz', targetHz);
    expectNonNegative('lsnnRateRegularizer', 'weight', weight);
    if (!(dtMs > 0) || !Number.isFinite(dtMs)) fail('attr', 'lsnnRateRegularizer.dtMs', 'the time step must be positive', 'a number > 0', String(dtMs));
    const d = neuronRates(spikes, b.path()).div(dtMs).sub(targetHz / 1000);
    return d.mul(d).sum().mul(weight);
  });
}
