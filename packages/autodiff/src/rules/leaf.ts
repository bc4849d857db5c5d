import { NON_DIFFERENTIABLE, type VjpTable } from '../vjp-types.js';

/** Leaves have no inputs to pass a cotangent to; the driver reads the cotangents that reach them. */
export const leafVjp: VjpTable<'input' | 'param' | 'state' | 'constant'> = {
  input: NON_DIFFERENTIABLE,
  param: NON_DIFFERENTIABLE,
  state: NON_DIFFERENTIABLE,
  constant: NON_DIFFERENTIABLE,
};
