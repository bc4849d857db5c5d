export * from './nir-graph.js';
