export * from './rule.js';
export * from './synapse.js';
export * from './diehl-cook.js';
export * from './readout.js';
