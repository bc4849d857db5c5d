export * from './layers/linear.js';
export * from './layers/lif.js';
export * from './layers/library.js';
export * from './optim/optimizer.js';
export * from './optim/sgd.js';
export * from './optim/adam.js';
export * from './training-graph.js';
