export * from './head.js';
export * from './model.js';
