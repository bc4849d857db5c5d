export * from './rule.js';
export * from './synapse.js';
export * from './diehl-cook.js';
export * from './readout.js';
export * from './spike-events.js';
export * from './event-driven.js';
