export * from './network.js';
export * from './presets.js';
export * from './deep-r.js';
export * from './deep-r-weight.js';
export * from './deep-r-runner.js';
