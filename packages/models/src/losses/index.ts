export * from './readout.js';
export * from './cross-entropy.js';
export * from './mse.js';
export * from './rate-regularizer.js';
export * from './accuracy.js';
