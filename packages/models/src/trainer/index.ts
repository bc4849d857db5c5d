export * from './data-rng.js';
export * from './batches.js';
export * from './trainer.js';
export * from './param-average.js';
