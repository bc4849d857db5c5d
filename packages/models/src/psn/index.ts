export * from './psn.js';
export * from './masked-psn.js';
export * from './sliding-psn.js';
