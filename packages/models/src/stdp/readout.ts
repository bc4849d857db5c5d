import { fail } from '@spikeflow/core';
import { mulberry32 } from '../random/mulberry32.js';

/**
 * The host side of the Diehl & Cook network: Poisson input spike trains, and the unsupervised
 * network's readout (each neuron labelled by the class it answers most, a digit scored by the
 * mean response of each class's neurons).
 */

/**
 * Poisson spikes [steps, 1, pixels] flat, for intensities in [0, 1]: pixel i fires at
 * intensity_i · maxRate Hz, i.e. with probability rate·dt/1000 per step of dt ms. `seed` is a
 * mulberry32 state; the state after the draw is returned so consecutive digits get fresh spikes.
 */
export function poissonSpikes(intensities: ArrayLike<number>, steps: number, options: { readonly maxRate: number; readonly dt: number; readonly seed: number }): { spikes: Float32Array; seed: number } {
  const n = intensities.length;
  const scale = (options.maxRate * options.dt) / 1000;
  const spikes = new Float32Array(steps * n);
  let state = options.seed >>> 0;
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < n; i++) {
      const r = mulberry32(state);
      state = r.state;
      if (r.value < intensities[i]! * scale) spikes[t * n + i] = 1;
    }
  }
  return { spikes, seed: state };
}

/** Per neuron and class, the summed spike counts and how many digits of the class were seen. */
export class ClassResponses {
  private readonly sums: Float64Array;
  private readonly seen: Float64Array;

  constructor(readonly neurons: number, readonly classes = 10) {
    this.sums = new Float64Array(neurons * classes);
    this.seen = new Float64Array(classes);
  }

  add(counts: ArrayLike<number>, label: number): void {
    if (counts.length !== this.neurons) fail('shape', 'ClassResponses.add', 'one count per neuron', `${this.neurons}`, `${counts.length}`);
    if (!Number.isInteger(label) || label < 0 || label >= this.classes) fail('attr', 'ClassResponses.add', 'label out of range', `0..${this.classes - 1}`, String(label));
    for (let j = 0; j < this.neurons; j++) this.sums[label * this.neurons + j]! += counts[j]!;
    this.seen[label]! += 1;
  }

  /** Each neuron's class: the one with its highest mean response (ties to the lower class; a silent neuron gets −1). */
  assignments(): Int32Array {
    const out = new Int32Array(this.neurons).fill(-1);
    for (let j = 0; j < this.neurons; j++) {
      let best = 0;
      for (let c = 0; c < this.classes; c++) {
        if (this.seen[c] === 0) continue;
        const mean = this.sums[c * this.neurons + j]! / this.seen[c]!;
        if (mean > best) {
          best = mean;
          out[j] = c;
        }
      }
    }
    return out;
  }
}

/**
 * The class a digit is given: the one whose assigned neurons have the highest mean spike count
 * (classes without neurons cannot win; −1 when no assigned neuron fired).
 */
export function voteClass(counts: ArrayLike<number>, assignments: Int32Array, classes = 10): number {
  const sums = new Float64Array(classes);
  const members = new Float64Array(classes);
  for (let j = 0; j < assignments.length; j++) {
    const c = assignments[j]!;
    if (c < 0) continue;
    sums[c]! += counts[j]!;
    members[c]! += 1;
  }
  let best = -1;
  let bestMean = 0;
  for (let c = 0; c < classes; c++) {
    if (members[c] === 0) continue;
    const mean = sums[c]! / members[c]!;
    if (mean > bestMean) {
      bestMean = mean;
      best = c;
    }
  }
  return best;
}
