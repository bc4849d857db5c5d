import { fail, sizeOf, type HostTensor } from '@spikeflow/core';

/** One client's part of a round: its weight (its number of training samples) and its params as the server decoded them. */
export interface WeightedParams {
  readonly weight: number;
  readonly params: Readonly<Record<string, ArrayLike<number>>>;
}

/**
 * FedAvg's server step (McMahan et al. 2017): the new global params are the clients' params
 * weighted by their sample counts, Σ_k n_k w_k / Σ_k n_k, summed in float64 and rounded to float32
 * once. With one client the mean is its params exactly (n·w and its quotient by n are exact in
 * float64), so a federation of one trains as plain training does. `global` gives the names,
 * shapes and dtype of the result.
 */
export function federatedAverage(global: Readonly<Record<string, HostTensor>>, clients: readonly WeightedParams[]): Record<string, HostTensor> {
  if (clients.length === 0) fail('attr', 'clients', 'averaging needs at least one client', 'at least one client', 'none');
  let total = 0;
  clients.forEach(({ weight }, k) => {
    if (!(weight > 0 && Number.isFinite(weight))) fail('attr', `clients[${k}].weight`, "a client's weight is its sample count, a finite number > 0", '> 0', String(weight));
    total += weight;
  });
  const out: Record<string, HostTensor> = {};
  for (const [name, tensor] of Object.entries(global)) {
    const n = sizeOf(tensor.type.shape);
    const sum = new Float64Array(n);
    clients.forEach(({ weight, params }, k) => {
      const values = Object.hasOwn(params, name) ? params[name]! : fail('attr', `clients[${k}].params.${name}`, 'every client must send every param', name, 'nothing');
      if (values.length !== n) fail('attr', `clients[${k}].params.${name}`, 'the values do not fit the param', `${n} values`, String(values.length));
      for (let i = 0; i < n; i++) sum[i]! += weight * values[i]!;
    });
    const data = Float32Array.from(sum, (s) => s / total);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail('nan', `params.${name}`, `the averaged param is non-finite at element ${bad}: a client diverged`, 'finite values', String(data[bad]));
    out[name] = { type: tensor.type, data };
  }
  return out;
}
