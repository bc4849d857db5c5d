import { fail, formatShape, type HostTensor } from '@spikeflow/core';

/**
 * The running mean of a model's params over the snapshots added: stochastic weight averaging
 * (Izmailov et al., UAI 2018). Averaging the weights of the last epochs lands nearer the middle of
 * the flat region the optimizer wanders in, which often generalises better than one end point. Sums
 * are kept in float64, so the mean does not drift with the snapshot count.
 */
export class ParamAverage {
  private readonly sums = new Map<string, { readonly type: HostTensor['type']; readonly sum: Float64Array }>();
  private snapshots = 0;

  /** How many snapshots the mean holds. */
  get count(): number {
    return this.snapshots;
  }

  /** Adds one snapshot; every snapshot must hold the same params with the same shapes. */
  add(params: Readonly<Record<string, HostTensor>>): void {
    const names = Object.keys(params).sort();
    if (this.snapshots > 0 && names.join(',') !== [...this.sums.keys()].sort().join(',')) {
      fail('attr', 'params', 'every averaged snapshot must hold the same params', [...this.sums.keys()].sort().join(', '), names.join(', '));
    }
    // Every param is checked before any is summed, so a rejected snapshot leaves the mean as it was.
    for (const name of names) {
      const value = params[name]!;
      if (value.type.dtype !== 'f32') fail('attr', `params.${name}`, 'only float params can be averaged', 'f32', value.type.dtype);
      const seen = this.sums.get(name);
      if (seen !== undefined && formatShape(seen.type.shape) !== formatShape(value.type.shape)) fail('attr', `params.${name}`, 'the param changed shape between snapshots', formatShape(seen.type.shape), formatShape(value.type.shape));
    }
    for (const name of names) {
      const value = params[name]!;
      const entry = this.sums.get(name) ?? { type: value.type, sum: new Float64Array(value.data.length) };
      for (let i = 0; i < entry.sum.length; i++) entry.sum[i]! += value.data[i]!;
      this.sums.set(name, entry);
    }
    this.snapshots++;
  }

  /** The mean of the snapshots added, by name. */
  mean(): Record<string, HostTensor> {
    if (this.snapshots === 0) fail('attr', 'params', 'no snapshot has been added, so there is no mean', 'at least one snapshot', 'none');
    return Object.fromEntries([...this.sums].map(([name, { type, sum }]) => [name, { type, data: Float32Array.from(sum, (s) => s / this.snapshots) }]));
  }
}
