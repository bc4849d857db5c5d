export * from './random-function.js';
export * from './regression-task.js';
export * from './trial-errors.js';
export * from './meta-training.js';
