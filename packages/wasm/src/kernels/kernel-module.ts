import { ModuleBuilder } from '../module-builder/index.js';
import { addElementwiseKernels } from './elementwise.js';
import { addMatmulKernels, DEFAULT_MATMUL_TILING, type MatmulTiling } from './matmul.js';

/** Where the kernels' shared memory is imported from. */
export const MEMORY_IMPORT = { module: 'env', name: 'memory' } as const;

/** Sizes of the shared memory in 64 KiB pages; the maximum is reserved up front by the engine. */
export interface MemoryLimits {
  readonly initial: number;
  readonly maximum: number;
}

/**
 * The module every thread instantiates: the elementwise and matmul kernels over one imported
 * shared memory. Returns its binary.
 */
export function buildKernelModule(memory: MemoryLimits, tiling: MatmulTiling = DEFAULT_MATMUL_TILING): Uint8Array<ArrayBuffer> {
  const module = new ModuleBuilder().importMemory({ ...MEMORY_IMPORT, ...memory, shared: true });
  addElementwiseKernels(module);
  addMatmulKernels(module, tiling);
  return module.encode();
}
