import { fail } from '@spikeflow/core';

/**
 * Discounted returns of a rollout, G_t = r_t + γ·(1 − done_t)·G_{t+1}, computed backwards; after
 * the last step G_T = `bootstrap` (a value estimate of the state the rollout stopped in; 0 by
 * default). A `done_t` of 1 cuts the sum at a terminal step, so one array may hold several episodes.
 */
export function discountedReturns(rewards: ArrayLike<number>, gamma: number, options: { readonly dones?: ArrayLike<number | boolean>; readonly bootstrap?: number } = {}): Float64Array {
  if (!(gamma >= 0 && gamma <= 1)) fail('attr', 'discountedReturns.gamma', 'must lie in [0, 1]', '[0, 1]', String(gamma));
  const { dones, bootstrap = 0 } = options;
  if (dones !== undefined && dones.length !== rewards.length) fail('shape', 'discountedReturns.dones', 'needs one flag per reward', String(rewards.length), String(dones.length));
  const out = new Float64Array(rewards.length);
  let g = bootstrap;
  for (let t = rewards.length - 1; t >= 0; t--) {
    const terminal = dones !== undefined && Number(dones[t]) !== 0;
    g = rewards[t]! + (terminal ? 0 : gamma * g);
    out[t] = g;
  }
  return out;
}

/**
 * `discountedReturns` of every column of time-major rewards (`rewards[t * batch + b]`, one episode
 * per column b), each discounted on its own with nothing after the last step; time-major like the input.
 */
export function timeMajorReturns(rewards: ArrayLike<number>, steps: number, batch: number, gamma: number): Float32Array {
  if (rewards.length !== steps * batch) fail('shape', 'timeMajorReturns.rewards', 'needs steps × batch values', String(steps * batch), String(rewards.length));
  const out = new Float32Array(steps * batch);
  for (let b = 0; b < batch; b++) {
    const g = discountedReturns(Array.from({ length: steps }, (_, t) => rewards[t * batch + b]!), gamma);
    g.forEach((v, t) => (out[t * batch + b] = v));
  }
  return out;
}
