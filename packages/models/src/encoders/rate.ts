import { fnv1a32, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { RANDOM_STEP_INPUT } from '../mode-inputs.js';
import { checkPositive, checkSteps } from './check.js';

export interface RateOptions {
  /** T, the number of steps. */
  readonly steps: number;
  /** The spike probability per step of a value of 1 (default 1): p = clamp(gain·x, 0, 1). */
  readonly gain?: number;
  /** Keys the draws (default a hash of the scope path, as dropout does). */
  readonly seed?: number;
  /**
   * The draw's counter. By default the graph's `randomStep` mode input, which the trainer sets to
   * the step number, so every training step draws new spikes and CPU and WebGPU draw the same.
   */
  readonly counter?: Tensor | number;
}

/**
 * Rate (Bernoulli) coding, the graph form of the host-side rate code of `sequentialMnist`: x of
 * any shape S becomes spikes [T, ...S], each element spiking independently at every step with
 * probability p = clamp(gain·x, 0, 1). The draw is core's counter-based `bernoulli`.
 */
export function rateEncode(b: GraphBuilder, x: Tensor, options: RateOptions): Tensor {
  const { steps, gain = 1 } = options;
  checkSteps('rate.steps', steps, 1);
  checkPositive('rate.gain', gain);
  const p = x.mul(gain).maximum(0).minimum(1);
  const counter = options.counter ?? b.sharedInput(RANDOM_STEP_INPUT, [], 'u32');
  return b.bernoulli(p, [steps, ...x.shape], options.seed ?? fnv1a32(`${b.path()}/rate`), counter);
}

/**
 * The inverse of `rateEncode`: the spike count over T divided by T·gain. For x in [0, 1/gain] it
 * is an unbiased estimate with standard deviation sqrt(p(1 − p)/T)/gain.
 */
export function rateDecode(spikes: Tensor, gain = 1): Tensor {
  checkPositive('rate.gain', gain);
  return spikes.mean(0).div(gain);
}
