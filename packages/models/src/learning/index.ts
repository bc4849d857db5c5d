export * from './rule.js';
export * from './network.js';
export { neuronJacobian, type NeuronJacobian } from './neuron-jacobian.js';
export { onlineUpdates } from './online-updates.js';
export * from './eprop.js';
export * from './rflo.js';
export { rateNeuron } from './rate-neuron.js';
