export * from './format.js';
export * from './validate.js';
