export * from './layers/linear.js';
export * from './layers/lif.js';
export * from './layers/library.js';
