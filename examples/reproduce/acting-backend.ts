import { cpuBackend, type TrainBackend } from '@spikeflow/core';
import { CPU_INTERPRETER_DEVICE } from './row-backend.js';

/**
 * Where an agent acts, one call per environment step: on the experiment's backend when it runs on
 * the host (WebAssembly, the CPU interpreter), on the CPU interpreter when it is WebGPU, whose
 * round trip per call costs more than the step itself at these sizes.
 */
export function actingBackend(training: TrainBackend): TrainBackend {
  return training.name === 'webgpu' ? cpuBackend() : training;
}

/** `actingBackend` with the device text a result row names it by. */
export function actingOn(training: TrainBackend, device: string): { readonly backend: TrainBackend; readonly device: string } {
  const backend = actingBackend(training);
  return { backend, device: backend === training ? device : CPU_INTERPRETER_DEVICE };
}
