import type { TrainBackend } from '@spikeflow/core';
import { compile, type CompileOptions, type DeviceHandle } from './executable.js';
import { compileTrainStep } from './train-step.js';

/**
 * WebGPU as a training backend (the interface in @spikeflow/core that the trainer in
 * @spikeflow/models is written against): a TrainStep is its step runner and an Executable its
 * forward runner, params and optimizer state staying on the device between steps.
 */
export function webgpuBackend(handle: DeviceHandle | GPUDevice, options: Omit<CompileOptions, 'seed'> = {}): TrainBackend {
  return {
    name: 'webgpu',
    compileTrainStep: (graph, { seed, loss } = {}) => compileTrainStep(graph, handle, { ...options, seed, loss }),
    compile: (graph, { seed } = {}) => compile(graph, handle, { ...options, seed }),
  };
}
