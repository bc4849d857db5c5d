import { TrainStep, webgpuBackend, type CompileOptions } from '@spikeflow/webgpu';
import { profileKernels } from '../gpu/kernel-profile.js';
import type { LifMlpImpl } from '../workloads/lif-mlp.js';
import { backendLifMlp } from './backend-lif-mlp.js';

/**
 * W1 in spikeflow on WebGPU (see backendLifMlp): the training step is one submission. `options`
 * are the compiler's (spike storage, zero skipping, `spikeInputs`), under impl name `impl`.
 */
export function spikeflowLifMlp(device: GPUDevice, deviceName: string, options: CompileOptions = {}, impl = 'spikeflow'): LifMlpImpl {
  return backendLifMlp(impl, deviceName, webgpuBackend(device, options), (train) => {
    if (!(train instanceof TrainStep)) throw new Error('internal: the WebGPU backend compiled a step runner that is not a TrainStep');
    return profileKernels(device, train.executable);
  });
}
