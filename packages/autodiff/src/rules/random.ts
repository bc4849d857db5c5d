import type { RandomOp } from '@spikeflow/core';
import { NON_DIFFERENTIABLE, type VjpTable } from '../vjp-types.js';

/**
 * Random samples pass no gradient. `uniform` and `normal` depend only on the integer counter.
 * `bernoulli`'s sample is [u < p] for a uniform u: a step function of p, with zero derivative
 * almost everywhere. A learned firing probability needs a score-function or straight-through
 * estimator, written by the user with `customVjp`.
 */
export const randomVjp: VjpTable<RandomOp> = {
  uniform: NON_DIFFERENTIABLE,
  normal: NON_DIFFERENTIABLE,
  bernoulli: NON_DIFFERENTIABLE,
};
