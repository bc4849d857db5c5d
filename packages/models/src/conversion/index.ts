export * from './relu-layer.js';
export * from './ann-mlp.js';
export * from './percentile.js';
export * from './activation-scales.js';
export * from './convert.js';
export * from './snn-graph.js';
export * from './evaluate-snn.js';
