import { PSN_LAYER } from '../workloads/spiking-layers.js';
import type { PsnImpl } from '../workloads/psn.js';
import { profileKernels } from '../gpu/kernel-profile.js';
import { compileSpikingLayer } from './layer.js';

/** W2 in spikeflow: the models layer `psn` traced over X, differentiated by `grad` and compiled to WGSL. */
export function spikeflowPsn(device: GPUDevice, deviceName: string): PsnImpl {
  return {
    impl: 'spikeflow',
    device: deviceName,
    async create(f) {
      const layer = await compileSpikingLayer(device, PSN_LAYER, f.T, f.N, true);
      layer.exe.setParams({ X: f.x, G: f.g, [`${PSN_LAYER.scope}/w`]: f.w, [`${PSN_LAYER.scope}/b`]: f.b });
      return {
        step: () => layer.call(),
        async gradients() {
          const out = await layer.outputs();
          return { loss: out.loss![0]!, w: out[`${PSN_LAYER.scope}/w`]!, b: out[`${PSN_LAYER.scope}/b`]!, x: out.X! };
        },
        kernels: () => profileKernels(device, layer.exe),
        dispose: () => layer.exe.destroy(),
      };
    },
  };
}
