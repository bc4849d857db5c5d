export * from './rule.js';
export * from './network.js';
export { neuronJacobian, type NeuronJacobian } from './neuron-jacobian.js';
export { onlineUpdates } from './online-updates.js';
export * from './eprop.js';
export * from './erbp-neuron.js';
export * from './erbp-network.js';
export * from './erbp.js';
