export * from './rate.js';
export * from './latency.js';
export * from './delta.js';
export * from './population.js';
