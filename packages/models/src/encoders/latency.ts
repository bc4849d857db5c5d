import { fail, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { checkRange, checkSteps } from './check.js';
import { overTime } from './time-axis.js';

export interface LatencyOptions {
  /** T (at least 2): the earliest spike is at step 0, the latest at T − 1. */
  readonly steps: number;
  /** The range mapped to [0, 1]: x̂ = clamp((x − low)/(high − low), 0, 1) (default [0, 1]). */
  readonly low?: number;
  readonly high?: number;
  /**
   * x̂ below this emits no spike (default 0.01). In [0, 1) for `linear`; in (0, 1) for `log`,
   * where it also sets the scale: x̂ = threshold spikes at the last step.
   */
  readonly threshold?: number;
  /**
   * `linear`: t = round((1 − x̂)(T − 1)).
   * `log`: t = round((T − 1)·ln x̂ / ln θ), equal input ratios give equal delays.
   */
  readonly scale?: 'linear' | 'log';
}

interface Resolved {
  readonly steps: number;
  readonly low: number;
  readonly high: number;
  readonly threshold: number;
  readonly scale: 'linear' | 'log';
}

function resolve(o: LatencyOptions): Resolved {
  const { steps, low = 0, high = 1, threshold = 0.01, scale = 'linear' } = o;
  checkSteps('latency.steps', steps, 2);
  checkRange('latency', low, high);
  if (scale !== 'linear' && scale !== 'log') fail('attr', 'latency.scale', 'unknown latency scale', 'linear or log', String(scale));
  // log needs θ > 0: ln θ is its scale.
  const inRange = scale === 'log' ? threshold > 0 && threshold < 1 : threshold >= 0 && threshold < 1;
  if (!inRange) {
    const interval = scale === 'log' ? '(0, 1)' : '[0, 1)';
    fail('attr', 'latency.threshold', `the threshold of a ${scale} latency code must lie in ${interval}`, `a number in ${interval}`, String(threshold));
  }
  return { steps, low, high, threshold, scale };
}

/**
 * Latency (time-to-first-spike) coding: x of shape S becomes [T, ...S] with at most one spike
 * per element, earlier for larger values; x̂ below the threshold stays silent.
 */
export function latencyEncode(b: GraphBuilder, x: Tensor, options: LatencyOptions): Tensor {
  const { steps, low, high, threshold, scale } = resolve(options);
  const last = steps - 1;
  const unit = x.sub(low).div(high - low).maximum(0).minimum(1);
  const delay = scale === 'linear' ? unit.neg().add(1).mul(last) : unit.maximum(threshold).log().mul(last / Math.log(threshold));
  // A silent element's spike time is T, which no step matches.
  const time = b.where(unit.greaterEqual(threshold), delay.round(), steps);
  return overTime(b, steps, x.rank + 1).equal(time).cast('f32');
}

/**
 * The inverse of `latencyEncode`: the value of each element's first spike time; a silent element
 * gives `low`. Quantisation for a value that spiked: |x − x̃| ≤ (high − low)/(2(T − 1)) for
 * `linear`; |ln x̂ − ln x̃̂| ≤ |ln θ|/(2(T − 1)) for `log`.
 */
export function latencyDecode(b: GraphBuilder, spikes: Tensor, options: LatencyOptions): Tensor {
  const { steps, low, high, threshold, scale } = resolve(options);
  if (spikes.shape[0] !== steps) fail('shape', b.path(), 'latency spikes must have T steps on axis 0', `T = ${steps}`, String(spikes.shape[0]));
  const last = steps - 1;
  // max over t of (T − t)·s_t is T − (first spike time), and 0 when there is none.
  const early = spikes.mul(overTime(b, steps, spikes.rank, (t) => steps - t)).max(0);
  const first = early.neg().add(steps);
  const unit = scale === 'linear' ? first.div(last).neg().add(1) : first.mul(Math.log(threshold) / last).exp();
  return b.where(early.greater(0), unit.mul(high - low).add(low), low);
}
