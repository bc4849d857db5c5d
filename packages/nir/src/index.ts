export * from './nir-graph.js';
export { readNir } from './read-nir.js';
export { writeNir } from './write-nir.js';
export { validateNirDocument } from './validate-nir.js';
export { MAX_NIR_DEPTH, MAX_NIR_ELEMENTS, MAX_NIR_NODES } from './nir-limits.js';
