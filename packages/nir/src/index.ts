export * from './nir-graph.js';
export { importNir, type NirModel } from './import/import-nir.js';
export type { ImportOptions, ResetMode, FiringRule, Discretisation } from './import/options.js';
