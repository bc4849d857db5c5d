export * from './codec.js';
export * from './top-k.js';
export * from './quantise.js';
export * from './fed-avg.js';
export * from './upload.js';
export * from './non-iid-split.js';
export * from './federated-training.js';
