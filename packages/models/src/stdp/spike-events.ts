import { fail } from '@spikeflow/core';
import { mulberry32 } from '../random/mulberry32.js';

/**
 * Input spikes of one presentation as events: at step t the inputs
 * `indices[offsets[t] .. offsets[t + 1])` fire, in increasing order. The event-driven simulator
 * reads these; `denseSpikes` gives the graph's [steps, 1, inputs] 0/1 layout of the same train.
 */
export interface SpikeEvents {
  readonly steps: number;
  readonly inputs: number;
  /** steps + 1 offsets into `indices`. */
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
}

/** The events of a dense 0/1 train [steps, inputs] (flat); any non-zero entry is a spike. */
export function spikeEvents(dense: ArrayLike<number>, steps: number, inputs: number): SpikeEvents {
  if (dense.length !== steps * inputs) fail('shape', 'spikeEvents', 'a dense train has steps × inputs entries', `${steps * inputs}`, `${dense.length}`);
  const offsets = new Int32Array(steps + 1);
  const found: number[] = [];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < inputs; i++) if (dense[t * inputs + i] !== 0) found.push(i);
    offsets[t + 1] = found.length;
  }
  return { steps, inputs, offsets, indices: Int32Array.from(found) };
}

/** The dense [steps, 1, inputs] (flat) 0/1 train of `events`, as the graph's `spikes` input takes it. */
export function denseSpikes(events: SpikeEvents): Float32Array {
  const out = new Float32Array(events.steps * events.inputs);
  for (let t = 0; t < events.steps; t++) {
    for (let k = events.offsets[t]!; k < events.offsets[t + 1]!; k++) out[t * events.inputs + events.indices[k]!] = 1;
  }
  return out;
}

/**
 * Poisson spike events for intensities in [0, 1]: input i fires with probability
 * p_i = intensity_i · maxRate · dt / 1000 per step, independently, as `poissonSpikes` draws them,
 * but by geometric gaps between spikes (one draw per spike, not one per input and step), so the
 * cost follows the spikes. `seed` is a mulberry32 state; the state after the draw is returned.
 */
export function poissonSpikeEvents(intensities: ArrayLike<number>, steps: number, options: { readonly maxRate: number; readonly dt: number; readonly seed: number }): { events: SpikeEvents; seed: number } {
  const n = intensities.length;
  const scale = (options.maxRate * options.dt) / 1000;
  let state = options.seed >>> 0;
  const times: number[] = [];
  const inputs: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = Math.min(1, Math.max(0, intensities[i]! * scale));
    if (p === 0) continue;
    const logMiss = Math.log1p(-p);
    for (let t = -1; ; ) {
      // Steps until the next spike: geometric with success probability p (every step when p = 1).
      let gap = 1;
      if (p < 1) {
        const r = mulberry32(state);
        state = r.state;
        gap += Math.floor(Math.log1p(-r.value) / logMiss);
      }
      t += gap;
      if (t >= steps) break;
      times.push(t);
      inputs.push(i);
    }
  }
  // Counting sort by step; stable, so each step's inputs stay in increasing order.
  const offsets = new Int32Array(steps + 1);
  for (const t of times) offsets[t + 1]! += 1;
  for (let t = 0; t < steps; t++) offsets[t + 1]! += offsets[t]!;
  const fill = offsets.slice(0, steps);
  const indices = new Int32Array(times.length);
  for (let k = 0; k < times.length; k++) indices[fill[times[k]!]!++] = inputs[k]!;
  return { events: { steps, inputs: n, offsets, indices }, seed: state };
}
