export * from './nir-graph.js';
export { readNir } from './read-nir.js';
export { writeNir } from './write-nir.js';
export { validateNirDocument } from './validate-nir.js';
export { MAX_NIR_DEPTH, MAX_NIR_ELEMENTS, MAX_NIR_NODES } from './nir-limits.js';
export { importNir, type NirModel } from './import/import-nir.js';
export type { ImportOptions, ResetMode, FiringRule, Discretisation } from './import/options.js';
export { exportNir } from './export/export-model.js';
export { exportSequential, type SequentialExport, type SequentialExportOptions } from './export/export-sequential.js';
