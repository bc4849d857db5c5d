export * from './vjp-types.js';
export * from './unbroadcast.js';
export { replay, replaySubgraph, type Replayed } from './replay.js';
export { backprop } from './backprop.js';
export * from './grad.js';
export { vjpRules } from './rules/index.js';
export * from './saved-tensors.js';
export { surrogateDerivatives, surrogateDerivative, type SurrogateDerivative } from './surrogates.js';
