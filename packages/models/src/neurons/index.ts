export * from './define-neuron.js';
export * from './fire-and-reset.js';
export * from './if.js';
export * from './lif.js';
export * from './plif.js';
export * from './alif.js';
export * from './leaky-integrator.js';
export * from './library.js';
